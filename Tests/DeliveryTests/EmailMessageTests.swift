// The headers every email backend sends: the Message-ID's domain comes from the sender's address.
import Testing
@testable import Delivery

@Suite struct EmailMessageTests {
    /// The domain is what follows the sender's last `@` (its last non-empty part between `@`s), a display name's `>`
    /// dropped; with nothing there, `localhost`.
    @Test(arguments: [("otp@example.com", "example.com"), ("OTP Service <otp@example.com>", "example.com"),
                      ("noreply@mail.example.org@", "mail.example.org"), ("webmaster", "webmaster"), ("", "localhost"), ("@@", "localhost")])
    func theMessageIDsDomainIsTheSendersDomain(from: String, domain: String) {
        #expect(EmailMessage.messageIDDomain(from) == domain)
    }
}
