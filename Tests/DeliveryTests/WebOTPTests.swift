// The origin-bound code line (WICG sms-one-time-codes) that ends an SMS when OTP_WEBOTP_DOMAIN is set.
import Testing
import TestSupport
@testable import Delivery
import OTP

@Suite struct WebOTPTests {
    @Test(arguments: [
        ("Your OTP code is: 123456", "Your OTP code is: 123456\n\n@example.com #123456"),
        ("Your OTP code is: 123456\n\n", "Your OTP code is: 123456\n\n@example.com #123456"),
        ("Code 123456\r\n", "Code 123456\n\n@example.com #123456"),
    ])
    func theCodeLineIsLastAfterABlankLine(text: String, sms: String) {
        #expect(WebOTPSender.text(text, code: "123456", domain: "example.com") == sms)
    }

    /// Chromium's parser: `(?:^|\s)@([a-zA-Z0-9.-]+) #([^#\s]+)`, on the last line.
    @Test func theLastLineMatchesWhatBrowsersParse() {
        let last = WebOTPSender.text("Code 042001", code: "042001", domain: "login.shop-1.example").split(separator: "\n").last!
        #expect(last == "@login.shop-1.example #042001")
    }

    @Test func onlySMSGetsTheLine() throws {
        let settings = try deliverySettings(["OTP_WEBOTP_DOMAIN": "Example.com"])
        #expect(settings.webOTPDomain == "example.com")
        #expect(try Senders.sender(for: .sms, settings: settings, pauses: MemoryProviderPauses(), log: { _ in }) is WebOTPSender)
        #expect(try !(Senders.sender(for: .whatsapp, settings: settings, pauses: MemoryProviderPauses(), log: { _ in }) is WebOTPSender))
    }

    @Test func theSenderAppendsTheLineToTheMessage() throws {
        final class Recorder: Sender { var texts: [String] = []; func send(_ message: OutgoingMessage) { texts.append(message.text) } }
        let recorder = Recorder()
        let message = OutgoingMessage(recipient: try Identifier(channel: .sms, raw: "+14155552671"), code: "123456", subject: nil,
                                      text: "Your OTP code is: 123456")
        try WebOTPSender(domain: "example.com", next: recorder).send(message)
        #expect(recorder.texts == ["Your OTP code is: 123456\n\n@example.com #123456"])
    }
}
