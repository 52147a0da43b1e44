// Ends an SMS with the origin-bound code line ("@example.com #123456", WICG sms-one-time-codes) that lets
// browsers offer the code only on that site (WebOTP in Chrome, one-time-code autofill in Safari).
import OTP

struct WebOTPSender: Sender {
    let domain: String
    let next: any Sender

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        try next.send(OutgoingMessage(recipient: message.recipient, code: message.code, subject: message.subject,
                                      text: Self.text(message.text, code: message.code, domain: domain)))
    }

    /// The format wants the line last; the blank line before it is the examples' layout.
    static func text(_ text: String, code: String, domain: String) -> String {
        var body = Substring(text)
        while body.last?.isNewline == true { body = body.dropLast() }
        return "\(body)\n\n@\(domain) #\(code)"
    }
}
