// Ends an SMS with the origin-bound code line ("@example.com #123456", WICG sms-one-time-codes) that lets
// browsers offer the code only on that site (WebOTP in Chrome, one-time-code autofill in Safari).
import OTP

struct WebOTPSender: Sender {
    let domain: String
    let next: any Sender

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        var marked = message
        marked.text = Self.text(message.text, code: message.code, domain: domain)
        try next.send(marked)
    }

    /// The format wants the line last; the blank line before it is the examples' layout.
    static func text(_ text: String, code: String, domain: String) -> String {
        var body = Substring(text)
        while body.last?.isNewline == true { body = body.dropLast() }
        return "\(body)\n\n@\(domain) #\(code)"
    }
}
