// BCP 47 tags held strictly (they name template folders).
import Testing
@testable import OTP

@Suite struct LanguageTagTests {
    @Test(arguments: [
        ("en", "en"), ("EN", "en"), ("pt-br", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"),
        ("sl-rozaj", "sl-rozaj"), ("de-CH-1996", "de-CH-1996"), ("ast", "ast"), ("sr-Latn", "sr-Latn"),
    ])
    func aValidTagIsKeptInCanonicalCase(text: String, canonical: String) {
        #expect(LanguageTag(text)?.description == canonical)
    }

    @Test(arguments: [
        "", "../en", "en/../../etc", "..", ".", "en_US", "en-", "-en", "en--US", "e", "english", "en-US-x-private", "x-klingon",
        "i-klingon", "en-a-bbb", "zh-yue", "en-US-GB", "en US", "en\u{0}", "pt-BR\n", "énglish", "en-Latn-Latn", "fr-123-FR",
        String(repeating: "a", count: 36), "de-" + String(repeating: "abcdefgh-", count: 4) + "x",
    ])
    func anythingElseIsRefused(text: String) {
        #expect(LanguageTag(text) == nil)
    }

    @Test func aTagOfExactlyTheMaximumLengthIsAccepted() {
        let text = "de-DE-" + ["abcdefgh", "bcdefghi", "cdefghij"].joined(separator: "-")
        #expect(text.utf8.count == 32)
        #expect(LanguageTag(text) != nil && LanguageTag(text + "-abcd") == nil)
    }

    @Test func truncationDropsOneSubtagAtATime() {
        let tag = LanguageTag("zh-Hant-TW")!
        #expect(tag.parent?.description == "zh-Hant" && tag.parent?.parent?.description == "zh" && tag.parent?.parent?.parent == nil)
        var seen: [String] = []
        #expect(tag.firstTruncation(where: { seen.append($0.description); return false }) == nil)
        #expect(seen == ["zh-Hant-TW", "zh-Hant", "zh"])
        #expect(tag.firstTruncation(where: { $0.description.count < 8 })?.description == "zh-Hant")
        #expect(LanguageTag("ar-EG")!.isRightToLeft && !LanguageTag("en")!.isRightToLeft)
    }
}
