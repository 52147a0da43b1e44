// What we send to Twilio (the form) and what its answers mean for the client (400, 500 or success).
import Testing
@testable import Delivery
import OTP

@Suite struct TwilioRequestTests {
    func sender(_ channel: Channel, from: String) -> TwilioSender {
        TwilioSender(account: TwilioAccount(accountSID: "AC123", authToken: "token", sender: from), channel: channel,
                     delivery: DeliverySettings())!
    }

    @Test(arguments: [
        ([("To", "+14155552671")], "To=%2B14155552671"),
        ([("Body", "Your code: 123 456 & more=1+1")], "Body=Your%20code%3A%20123%20456%20%26%20more%3D1%2B1"),
        ([("Body", "Ihr Code ist: 1\n\n@ex-1.example.com #1")], "Body=Ihr%20Code%20ist%3A%201%0A%0A%40ex-1.example.com%20%231"),
        ([("Body", "ü~_")], "Body=%C3%BC~_"),
        ([("A", "1"), ("B", "")], "A=1&B="),
    ])
    func formEncodingKeepsOnlyUnreservedCharacters(fields: [(String, String)], encoded: String) {
        #expect(TwilioSender.formEncoded(fields) == encoded)
    }

    @Test func smsSendsToFromAndBody() {
        #expect(sender(.sms, from: "+15005550006").form(to: "+14155552671", body: "Code 1")
                == "To=%2B14155552671&From=%2B15005550006&Body=Code%201")
    }

    @Test(arguments: ["+14155238886", "whatsapp:+14155238886"])
    func whatsappPrefixesBothNumbersOnce(from: String) {
        #expect(sender(.whatsapp, from: from).form(to: "+14155552671", body: "x")
                == "To=whatsapp%3A%2B14155552671&From=whatsapp%3A%2B14155238886&Body=x")
    }

    @Test func aMessagingServiceSIDIsSentInsteadOfFrom() {
        let service = "MG" + String(repeating: "0123456789abcdef", count: 2)
        #expect(sender(.sms, from: service).form(to: "+14155552671", body: "x") == "To=%2B14155552671&MessagingServiceSid=\(service)&Body=x")
        #expect(sender(.sms, from: "MGShop").form(to: "+14155552671", body: "x") == "To=%2B14155552671&From=MGShop&Body=x")
    }

    /// Twilio's error object, or a proxy's HTML page when `code` is nil.
    func answer(_ status: Int, _ code: Int?) -> [UInt8] {
        guard let code else { return Array("<html>Bad Gateway</html>".utf8) }
        return Array(#"{"code": \#(code), "message": "The 'To' number is not valid", "#.utf8)
            + Array(#""more_info": "https://www.twilio.com/docs/errors/\#(code)", "status": \#(status)}"#.utf8)
    }

    @Test(arguments: [
        (Channel.sms, 21211, "The phone number is not valid"),
        (.sms, 21614, "The phone number cannot receive SMS"),
        (.whatsapp, 63003, "The phone number cannot receive WhatsApp messages"),
        (.sms, 21408, "Sending SMS to this phone number's country is not enabled"),
        (.sms, 21610, "The phone number has opted out of SMS from this sender"),
    ])
    func recipientErrorsAreTheClients400(channel: Channel, code: Int, detail: String) {
        #expect(throws: DeliveryFault(refused: detail)) { try TwilioSender.check(ProviderReply(status: 400, body: answer(400, code)), channel: channel) }
    }

    @Test(arguments: [
        (401, 20003, "Twilio answered HTTP 401, error 20003 (authentication failed: check the account SID and auth token)"),
        (429, 20429, "Twilio answered HTTP 429, error 20429 (too many requests)"),
        (500, 20500, "Twilio answered HTTP 500, error 20500 (Twilio is failing; try again later)"),
        (502, nil, "Twilio answered HTTP 502 (Twilio is failing; try again later)"),
        (400, 21606, "Twilio answered HTTP 400, error 21606 (the sender cannot send on this channel)"),
    ])
    func otherErrorsAreOur500WithALogLine(status: Int, code: Int?, log: String) {
        #expect(throws: DeliveryFault(log)) { try TwilioSender.check(ProviderReply(status: status, body: answer(status, code)), channel: .sms) }
    }

    @Test func aCreatedMessageIsSuccess() throws {
        try TwilioSender.check(ProviderReply(status: 201, body: Array(#"{"sid": "SM1", "status": "queued", "error_code": null}"#.utf8)), channel: .sms)
    }

    @Test(arguments: [
        (#"{"code":21211}"#, 21211), (#"{ "message": "say \"code\": 1", "code" :  63003 }"#, 63003),
        (#"{"error_code": 30003}"#, nil), ("not json", nil), (#"{"code": "x"}"#, nil),
    ])
    func findsTwilioErrorCode(body: String, code: Int?) {
        #expect(ProviderReply(status: 400, body: Array(body.utf8)).errorCode == code)
    }
}
