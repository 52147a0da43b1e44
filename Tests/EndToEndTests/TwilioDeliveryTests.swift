// SMS and WhatsApp end to end: cgi-bin/generate calls a local fake of Twilio's Messages API through curl.
import Foundation
import Testing
import TestSupport

@Suite struct TwilioDeliveryTests {
    let phone = "+14155552671"
    let sid = "AC0123456789abcdef0123456789abcdef"
    let token = "twilio-auth-token-0123456789"

    /// A site whose `channel` goes to a fake Twilio that answers `answer` (see Tests/Fakes/fake_twilio.py).
    func site(_ channel: String, answer: String = "ok", sender: String = "+15005550006",
              _ extra: [String: String] = [:]) throws -> (Site, FakeServer) {
        let site = try Site()
        let cert = try DeliveryTools.certificate(in: site.directory)
        let twilio = try FakeServer("fake_twilio.py", in: site, ["--sid", sid, "--token", token, "--cert", cert.cert, "--key", cert.key,
                                                                 "--answer", answer])
        let prefix = channel == "sms" ? "SMS" : "WA"
        site.settings.merge(["\(prefix)_TWILIO_ACCOUNT_SID": sid, "\(prefix)_TWILIO_AUTH_TOKEN": token, "\(prefix)_TWILIO_SENDER": sender,
                             "OTP_TWILIO_BASE_URL": "https://127.0.0.1:\(twilio.port)", "OTP_CA_BUNDLE": cert.cert]) { $1 }
        site.settings.merge(extra) { $1 }
        return (site, twilio)
    }

    /// The requests the fake received, each checked as Twilio documents it; returns the last one's form fields.
    func request(_ twilio: FakeServer) throws -> [String: String] {
        let records = try twilio.recorded()
        for record in records {
            #expect(record["method"] as? String == "POST")
            #expect(record["path"] as? String == "/2010-04-01/Accounts/\(sid)/Messages.json")
            #expect(record["content_type"] as? String == "application/x-www-form-urlencoded")
            #expect(record["authorized"] as? Bool == true)
            #expect(record["problems"] as? [String] == [])
        }
        return try #require(records.last?["fields"] as? [String: String])
    }

    @Test func anSMSCarriesTheCodeAndTheWebOTPLine() throws {
        let (site, twilio) = try site("sms", ["OTP_WEBOTP_DOMAIN": "shop.example"])
        try site.generate("sms", phone, expecting: 200)
        let fields = try request(twilio)
        #expect(fields["To"] == phone && fields["From"] == "+15005550006")
        let body = try #require(fields["Body"])
        let code = try otpCode(in: body)
        #expect(body == "Your OTP code is: \(code)\n\n@shop.example #\(code)")
        #expect(try site.verifies("sms", phone, code))
    }

    @Test func aWhatsAppMessageHasTheWhatsAppPrefixOnBothNumbers() throws {
        let (site, twilio) = try site("whatsapp", sender: "+14155238886")
        try site.generate("whatsapp", phone, expecting: 200)
        let fields = try request(twilio)
        #expect(fields["To"] == "whatsapp:\(phone)" && fields["From"] == "whatsapp:+14155238886")
        #expect(fields["Body"]?.hasPrefix("Your OTP code is: ") == true && !(fields["Body"]?.contains("@") ?? true))
        #expect(try site.verifies("whatsapp", phone, try otpCode(in: fields["Body"] ?? "")))
    }

    @Test func aMessagingServiceSendsWithoutFrom() throws {
        let service = "MG" + String(repeating: "0123456789abcdef", count: 2)
        let (site, twilio) = try site("sms", sender: service)
        try site.generate("sms", phone, expecting: 200)
        let fields = try request(twilio)
        #expect(fields["MessagingServiceSid"] == service && fields["From"] == nil)
    }

    @Test(arguments: [
        ("sms", "21211", 400, "The phone number is not valid"),
        ("sms", "21614", 400, "The phone number cannot receive SMS"),
        ("sms", "21408", 400, "Sending SMS to this phone number's country is not enabled"),
        ("sms", "21610", 400, "The phone number has opted out of SMS from this sender"),
        ("whatsapp", "63003", 400, "The phone number cannot receive WhatsApp messages"),
        ("sms", "20429", 500, "Could not send the code by sms"),
        ("whatsapp", "20500", 500, "Could not send the code by whatsapp"),
        ("sms", "hang", 500, "Could not send the code by sms"),
    ])
    func everyFailureLeavesNoUsableCodeAndNoCooldown(channel: String, answer: String, status: Int, detail: String) throws {
        let (site, twilio) = try site(channel, answer: answer, ["OTP_TWILIO_TIMEOUT": "1"])
        let failed = try site.generate(channel, phone, expecting: status, detail: detail)
        let body = try #require(try request(twilio)["Body"])
        #expect(try !site.verifies(channel, phone, try otpCode(in: body)))
        #expect(!failed.stderr.contains(token))
    }

    @Test func aRejectedTokenIs500AndTheLogSaysWhyWithoutTheToken() throws {
        let (site, twilio) = try site("sms", ["SMS_TWILIO_AUTH_TOKEN": "not-the-token-42"])
        let failed = try site.generate("sms", phone, expecting: 500, detail: "Could not send the code by sms")
        #expect(failed.stderr.contains("error 20003 (authentication failed"))
        #expect(!failed.stderr.contains("not-the-token-42"))
        #expect(try twilio.recorded().first?["authorized"] as? Bool == false)
    }

    @Test func aMissingCurlIs500NamingTheChannel() throws {
        let (site, _) = try site("whatsapp", ["OTP_CURL_PATH": "/nonexistent/curl"])
        let failed = try site.generate("whatsapp", phone, expecting: 500, detail: "Could not send the code by whatsapp")
        #expect(failed.stderr.contains("cannot start /nonexistent/curl (OTP_CURL_PATH)"))
    }

    @Test func aPartialAccountFallsBackToTheConsoleWithAWarning() throws {
        let site = try Site(["SMS_TWILIO_ACCOUNT_SID": sid])
        let sent = try site.generate("sms", phone, expecting: 200)
        #expect(sent.stderr.contains("warning: sms provider twilio partly configured, SMS_TWILIO_AUTH_TOKEN and SMS_TWILIO_SENDER missing"))
        #expect(sent.stderr.contains("console sms backend: to \(phone): Your OTP code is: "))
    }

    @Test(arguments: ["sms", "whatsapp"])
    func aPartialAccountIs500WhenConfigurationIsRequired(channel: String) throws {
        let site = try Site(["OTP_REQUIRE_PROVIDER_CONFIG": "true", "SMS_TWILIO_ACCOUNT_SID": sid, "WA_TWILIO_AUTH_TOKEN": token])
        let missing = channel == "sms" ? "SMS_TWILIO_AUTH_TOKEN, SMS_TWILIO_SENDER" : "WA_TWILIO_ACCOUNT_SID, WA_TWILIO_SENDER"
        try site.generate(channel, phone, expecting: 500, detail: "\(channel) provider not configured: set \(missing) (OTP_REQUIRE_PROVIDER_CONFIG is true)")
    }
}
