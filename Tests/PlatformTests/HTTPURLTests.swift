// The one reader of http(s) URLs and the one host-name check it shares with the settings.
import Testing
@testable import Platform

@Suite struct HTTPURLTests {
    @Test(arguments: [
        ("shop.example", true), ("127.0.0.1", true), ("redis_1", true), ("a-b.example", true), ("localhost", true),
        ("", false), ("-x.example", false), ("a..b", false), ("shop.example.", false), ("user@host", false), ("a b", false),
        ("host/x", false), ("[::1]", false), ("ex\u{0301}ample", false), (String(repeating: "a", count: 64), false),
    ])
    func aHostNameIsLabelsOfLettersDigitsAndHyphens(text: String, valid: Bool) {
        #expect(HostPort.isHostName(text) == valid)
    }

    /// Scheme and host lower-cased, the default port dropped: what an Origin header or a CSP names.
    @Test func aURLIsReadByItsPartsAndNormalised() throws {
        let url = try #require(HTTPURL("HTTPS://Shop.Example:443/a/b?x=1#top"))
        #expect(url.scheme == "https" && url.host == "shop.example" && url.port == nil && url.path == "/a/b" && url.rest == "?x=1#top")
        #expect(url.origin == "https://shop.example" && url.text == "https://shop.example/a/b?x=1#top")
        #expect(HTTPURL("http://127.0.0.1:8080")?.origin == "http://127.0.0.1:8080" && HTTPURL("http://127.0.0.1:8080")?.path == "/")
    }

    /// What browsers read in ways that differ is refused rather than interpreted.
    @Test(arguments: ["ftp://shop.example/", "https://shop.example@evil.example/", "https://shop.example/a b", "https://shop.example/./x",
                      "https://shop.example/%2e%2e/x", "https://shop.example\\evil.example/", "//shop.example/", "https://", "https://:443/",
                      "https://shop.example:99999/", "https://exämple.com/"])
    func anUnusualURLIsRefused(text: String) {
        #expect(HTTPURL(text) == nil)
    }
}
