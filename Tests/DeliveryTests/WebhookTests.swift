// The signed webhook: Standard Webhooks' signature, the event's fields, and the secret's form.
import Testing
@testable import Delivery
import Digests
import OTP

@Suite struct WebhookTests {
    /// The Standard Webhooks libraries' own test vector.
    @Test func theSignatureIsStandardWebhooks() throws {
        let key = try WebhookSettings.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", setting: "SMS_WEBHOOK_SECRET")
        #expect(WebhookSender.signature(key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", body: #"{"test": 2432232314}"#)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func theEventCarriesWhatTheSiteNeedsEscaped() throws {
        let message = OutgoingMessage(recipient: try Identifier(channel: .sms, raw: "+14155552671"), code: "042001", subject: nil,
                                      text: "Code \"042001\"\n", locale: LanguageTag("de-CH"), expiresAt: 1_700_000_300)
        let event = Array(WebhookSender.event(message, channel: .sms).utf8)
        #expect(JSONText.isDocument(event))
        for (path, value) in [("type", "otp.sms"), ("channel", "sms"), ("number", "+14155552671"), ("message", "Code \"042001\"\n"),
                              ("code", "042001"), ("locale", "de-CH"), ("expires_at", "1700000300")] {
            #expect(JSONText.value(at: [Substring(path)], in: event) == value)
        }
    }

    @Test(arguments: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_c2hvcnQ=", "whsec_not base64!"])
    func aSecretNotInTheSchemesFormIsRefused(secret: String) {
        #expect(throws: OTPError.self) { try WebhookSettings.key(secret, setting: "SMS_WEBHOOK_SECRET") }
    }

    @Test func theWebhookNeedsItsURLAndSecret() throws {
        let settings = try deliverySettings(["SMS_WEBHOOK_URL": "https://shop.example/otp-hook"])
        #expect(settings.webhookMissing == ["SMS_WEBHOOK_SECRET"])
        #expect(throws: OTPError.misconfigured("SMS_WEBHOOK_URL must be an https:// URL (http:// only to this machine: 127.0.0.1, [::1] or localhost)")) {
            try deliverySettings(["SMS_WEBHOOK_URL": "http://shop.example/", "SMS_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        }
    }

    @Test(arguments: [("", [UInt8]()), ("Zg==", Array("f".utf8)), ("Zm8", Array("fo".utf8)), ("Zm9vYmFy", Array("foobar".utf8)), ("/+8=", [0xff, 0xef])])
    func base64DecodesWhatItEncodes(text: String, bytes: [UInt8]) {
        #expect(Base64.decode(text) == bytes)
    }

    @Test(arguments: ["Z", "Zg=a", "Zg===", "Z-8="])
    func malformedBase64IsNil(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
