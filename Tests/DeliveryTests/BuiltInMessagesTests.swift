// Every built-in translation of the messages: its placeholders, its encoding, and what its SMS costs.
import Testing
@testable import Delivery
@testable import OTP

@Suite struct BuiltInMessagesTests {
    static let locales = BuiltInMessages.locales.map { LanguageTag($0)! }

    @Test func thereAreAtLeastTwelveLanguages() {
        #expect(Set(Self.locales.map(\.language)).count >= 12)
        #expect(Self.locales.map(\.description) == BuiltInMessages.locales, "each listed tag is canonical")
    }

    @Test(arguments: locales)
    func eachTextHasTheCodeAndNoOtherPlaceholder(locale: LanguageTag) throws {
        let messages = try #require(BuiltInMessages.messages(for: locale))
        let values = MessageTemplate.Values(code: "0123456789", minutes: "5", site: "Shop")
        for text in [messages.emailText, messages.smsText] {
            let rendered = try MessageTemplate(text, origin: "\(locale)").render(values)
            #expect(rendered.contains("0123456789") && !rendered.contains("{") && !rendered.contains("}"))
        }
        #expect(try MessageTemplate(messages.emailSubject, origin: "\(locale)", requiringCode: false).render(values) == messages.emailSubject)
        for text in [messages.emailSubject, messages.emailText, messages.smsText] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0.properties.generalCategory == .format
                || $0.properties.generalCategory == .privateUse || $0 == "\u{FFFD}" }, "\(locale): \(text)")
            #expect(text == text.trimmingPrefix(" "), "\(locale)")
        }
    }

    /// With the longest code (10 digits) every SMS fits one segment, and still does with a WebOTP line for a
    /// domain of 20 characters, the length of `login.example-shop.com`.
    @Test(arguments: locales)
    func eachSMSFitsOneSegmentWithTheLongestCode(locale: LanguageTag) throws {
        let text = try MessageTemplate(BuiltInMessages.messages(for: locale)!.smsText, origin: "")
            .render(.init(code: "0123456789", minutes: "5", site: ""))
        #expect(SMSSegments(text).count == 1)
        let domain = String(repeating: "d", count: 20)
        #expect(SMSSegments(text + "\n\n@\(domain) #0123456789").count == 1, "\(locale): \(SMSSegments(text + "\n\n@\(domain) #0123456789"))")
    }

    @Test func aLanguageOutsideTheBuiltInsHasNone() {
        #expect(BuiltInMessages.messages(for: LanguageTag("eo")!) == nil)
        #expect(BuiltInMessages.messages(for: LanguageTag("pt-PT")!) == nil, "truncation is the caller's")
    }
}
