// Accept-Language matched by RFC 4647 lookup against the locales a site has.
import Testing
@testable import Web
@testable import OTP

@Suite struct AcceptLanguageTests {
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
        ("fr;quux=1, en;q=0.5", "fr"),
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

}
