// The text every email backend sends: its headers in order, each line ended by CRLF, and the body after a blank line.
import Testing
@testable import Delivery
import OTP

@Suite struct EmailMessageTests {
    /// The domain is what follows the sender's last `@` (its last non-empty part between `@`s), a display name's `>`
    /// dropped; with nothing there, `localhost`.
    @Test(arguments: [("otp@example.com", "example.com"), ("OTP Service <otp@example.com>", "example.com"),
                      ("noreply@mail.example.org@", "mail.example.org"), ("webmaster", "webmaster"), ("", "localhost"), ("@@", "localhost")])
    func theMessageIDsDomainIsTheSendersDomain(from: String, domain: String) {
        #expect(EmailMessage.messageIDDomain(from) == domain)
    }

    /// The headers come in a fixed order with the date in RFC 5322's form (two-digit day, padded times, UTC),
    /// then the body's own headers, a blank line and the body.
    @Test(arguments: [(Int64(1_796_534_734), "Sun, 06 Dec 2026 05:25:34 +0000"), (Int64(1_799_139_787), "Tue, 05 Jan 2027 09:03:07 +0000")])
    func aMessageIsItsHeadersInOrderThenItsBody(now: Int64, date: String) throws {
        let message = OutgoingMessage(recipient: try Identifier(channel: .email, raw: "joe@example.com"), code: "123456",
                                      subject: "Your code", text: "Your code is: 123456")
        let text = String(decoding: EmailMessage.render(message, from: "OTP <otp@example.com>", now: now), as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 11)
        #expect(Array(lines[0...3]) == ["From: OTP <otp@example.com>", "To: joe@example.com", "Subject: Your code", "Date: \(date)"])
        #expect(lines[4].hasPrefix("Message-ID: <") && lines[4].hasSuffix("@example.com>") && lines[4].count == "Message-ID: <@example.com>".count + 32)
        #expect(Array(lines[5...]) == ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit", "",
                                       "Your code is: 123456", ""])
    }
}
