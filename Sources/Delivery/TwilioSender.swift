// SMS and WhatsApp through Twilio's Messages API, over curl; Twilio's answer decides between a 400 and a 500.
import OTP
import Platform

struct TwilioSender: Sender {
    let accountSID: String
    let authToken: String
    /// A phone number, an alphanumeric sender ID, or a Messaging Service SID (`MG` and 32 hex digits).
    let sender: String
    let channel: Channel
    let delivery: DeliverySettings

    /// Nil unless all three settings of the account are there.
    init?(account: TwilioAccount, channel: Channel, delivery: DeliverySettings) {
        guard let sid = account.accountSID, let token = account.authToken, let sender = account.sender else { return nil }
        (accountSID, authToken, self.sender, self.channel, self.delivery) = (sid, token, sender, channel, delivery)
    }

    /// The token travels as curl's `user` in the config on fd 3; curl sends the form from stdin and appends
    /// the HTTP status on a line of its own.
    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let options: [(String, String?)] = [
            ("url", "\(delivery.twilioBaseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json"), ("proto", "=https"),
            ("user", "\(accountSID):\(authToken)"), ("data-binary", "@-"), ("write-out", "\n%{http_code}"),
        ]
        let output = try Curl(delivery, timeoutSeconds: delivery.twilioTimeoutSeconds)
            .run(options, input: Array(form(to: message.recipient.value, body: message.text).utf8))
        let lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard let status = lines.last.flatMap({ Int(String(decoding: $0, as: UTF8.self)) }) else {
            throw DeliveryFault("Twilio: no HTTP status in curl's output")
        }
        try Self.check(status: status, body: Array(output.dropLast(lines.last!.count)), channel: channel)
    }

    /// The fields Twilio documents for sending, with `whatsapp:` before both addresses on that channel.
    func form(to recipient: String, body: String) -> String {
        let address = { (number: String) in
            self.channel == .whatsapp && !number.hasPrefix("whatsapp:") ? "whatsapp:" + number : number
        }
        let isService = sender.count == 34 && sender.hasPrefix("MG") && sender.utf8.dropFirst(2).allSatisfy { ASCII.hexValue($0) != nil }
        return Self.formEncoded([("To", address(recipient)), isService ? ("MessagingServiceSid", sender) : ("From", address(sender)),
                                 ("Body", body)])
    }

    /// application/x-www-form-urlencoded with only unreserved characters left as they are, so that no
    /// `+`, `&`, `=` or non-ASCII byte of a message can be misread.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        func encode(_ text: String) -> String {
            var out: [UInt8] = []
            for byte in text.utf8 {
                if ASCII.isAlphanumeric(byte) || "-._~".utf8.contains(byte) { out.append(byte) }
                else { out += [UInt8(ascii: "%"), ASCII.uppercased(ASCII.hexDigit(Int(byte >> 4))), ASCII.uppercased(ASCII.hexDigit(Int(byte & 0xf)))] }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return fields.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// 2xx is success. Errors about the recipient are the asker's to fix (another number), so they are a 400
    /// with a plain detail; anything else (credentials, rate limits, Twilio's own failures) is our 500, whose
    /// log line names Twilio's code but never the token or the number.
    static func check(status: Int, body: [UInt8], channel: Channel) throws(DeliveryFault) {
        guard !(200...299).contains(status) else { return }
        let code = errorCode(in: body)
        if let code, let detail = refusal(code, channel: channel) { throw DeliveryFault(refused: detail) }
        let hint = switch (code, status) {
        case (20003, _), (_, 401): " (authentication failed: check the account SID and auth token)"
        case (20429, _), (_, 429): " (too many requests)"
        case (21606, _), (63007, _): " (the sender cannot send on this channel)"
        case (_, 500...599): " (Twilio is failing; try again later)"
        default: ""
        }
        throw DeliveryFault("Twilio answered HTTP \(status)\(code.map { ", error \($0)" } ?? "")\(hint)")
    }

    /// Twilio's errors (twilio.com/docs/api/errors) that mean this number cannot be reached this way.
    static func refusal(_ code: Int, channel: Channel) -> String? {
        let medium = channel == .whatsapp ? "WhatsApp messages" : "SMS"
        switch code {
        case 21211: return "The phone number is not valid"
        case 21612, 21614, 21635, 63003: return "The phone number cannot receive \(medium)"
        case 21408: return "Sending \(medium) to this phone number's country is not enabled"
        case 21610: return "The phone number has opted out of \(medium) from this sender"
        default: return nil
        }
    }

    /// The numeric `code` of Twilio's flat error object (`{"code": 21211, "message": ..., "status": 400}`).
    /// A quote inside a JSON string is escaped, so `"code"` followed by a colon can only be that key.
    static func errorCode(in body: [UInt8]) -> Int? {
        guard let key = body.firstRange(of: Array(#""code""#.utf8)) else { return nil }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }
        let afterKey = body[key.upperBound...].drop(while: isSpace)
        guard afterKey.first == UInt8(ascii: ":") else { return nil }
        let digits = afterKey.dropFirst().drop(while: isSpace).prefix { (0x30...0x39).contains($0) }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
