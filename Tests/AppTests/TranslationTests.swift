// The pages speak every language the messages do, and fall back the way the messages do.
import Testing
@testable import Delivery
@testable import Web
@testable import OTP

@Suite struct TranslationTests {
    @Test(arguments: BuiltInMessages.locales)
    func eachMessageLanguageHasItsPageText(locale: String) throws {
        let text = try #require(PageText.exact(locale))
        let words = [text.codeSent, text.codeVerified, text.codeNotSent, text.codeNotAccepted, text.channel, text.emailOrPhone, text.code,
                     text.checkCode, text.sendCode, text.continueLabel, text.email]
        #expect(words.allSatisfy { !$0.isEmpty && !$0.unicodeScalars.contains { $0.value < 0x20 || "<>&\"'{}".unicodeScalars.contains($0) } })
        #expect(Set([text.codeSent, text.codeVerified, text.codeNotSent, text.codeNotAccepted]).count == 4, "four distinct titles")
    }

    @Test func thePageLanguageFallsBackByTruncationThenToTheDefault() {
        #expect(PageText.language(for: LanguageTag("pt-PT"), default: LanguageTag("de")!).tag.description == "pt")
        #expect(PageText.language(for: LanguageTag("eo"), default: LanguageTag("de-AT")!).tag.description == "de")
        #expect(PageText.language(for: nil, default: LanguageTag("eo")!).tag.description == "en")
    }
}
