// BCP 47 tags held strictly (they name template folders), Accept-Language lookup and the calling-code table.
import Testing
@testable import OTP
@testable import HTTP

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
        #expect(LanguageTag("zh-Hant-TW")!.truncations.map(\.description) == ["zh-Hant-TW", "zh-Hant", "zh"])
        #expect(LanguageTag("ar-EG")!.isRightToLeft && !LanguageTag("en")!.isRightToLeft)
    }

    @Test(arguments: [
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"),
        ("de;q=0.5, es", "es"),
        ("pt-BR,pt;q=0.9", "pt-BR"),
        ("pt-PT,pt;q=0.9", "pt"),
        ("eo, xx-YY;q=0.9, ja;q=0.1", "ja"),
        ("en;q=0, de", "de"),
        ("ja;q=0.5, ru;q=0.500", "ja"),
        ("ru;q=1.5, id;q=0.2", "id"),
        ("ru;q=0.1234, id;q=0.2", "id"),
        ("  it ;  q=0.3 ,", "it"),
        ("../../etc, zh-Hans-CN", "zh"),
    ])
    func theBestAvailableRangeWins(header: String, best: String) {
        let available = ["en", "fr", "de", "es", "pt", "pt-BR", "ja", "ru", "id", "it", "zh"]
        #expect(AcceptLanguage.best(header, available: { available.contains($0.description) })?.description == best)
    }

    @Test(arguments: [nil, "", "*", "eo, xx", "en;q=0", "de;q=x"])
    func nothingUsableMeansNoChoice(header: String?) {
        #expect(AcceptLanguage.best(header, available: { ["en", "fr"].contains($0.description) && $0.description != "en" }) == nil)
    }

    @Test func onlyTheFirstSixteenRangesAreRead() {
        let header = Array(repeating: "eo", count: 16).joined(separator: ",") + ",fr"
        #expect(AcceptLanguage.best(header, available: { $0.description == "fr" }) == nil)
    }

    @Test(arguments: [
        ("+14155552671", "en"), ("+447911123456", "en-GB"), ("+5511987654321", "pt-BR"), ("+351912345678", "pt-PT"),
        ("+79123456789", "ru"), ("+966501234567", "ar-SA"), ("+8613800138000", "zh-CN"), ("+819012345678", "ja-JP"),
        ("+4915123456789", "de-DE"), ("+33612345678", "fr-FR"), ("+525512345678", "es-MX"), ("+201001234567", "ar-EG"),
    ])
    func theCallingCodeNamesACountrysLanguage(phone: String, tag: String) {
        #expect(CallingCodeLocales.tag(for: phone)?.description == tag)
    }

    @Test(arguments: ["+41791234567", "+32470123456", "+919812345678", "+886912345678", "+3"])
    func aCountryWithoutOneClearBuiltInLanguageHasNone(phone: String) {
        #expect(CallingCodeLocales.tag(for: phone) == nil)
    }
}
