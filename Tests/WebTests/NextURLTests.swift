// `next`: only a URL under an allowed prefix, compared by scheme, host, port and path segments, is followed.
import Testing
@testable import Web
import OTP
import Platform

@Suite struct NextURLTests {
    static let allowed = "https://site.example/welcome/ http://127.0.0.1:8080/site https://shop.example"

    @Test(arguments: [
        ("https://site.example/welcome/", true),
        ("https://site.example/welcome/step-2?from=otp#top", true),
        ("HTTPS://SITE.EXAMPLE/welcome/", true),
        ("https://site.example:443/welcome/", true),
        ("http://127.0.0.1:8080/site", true),
        ("http://127.0.0.1:8080/site/", true),
        ("http://127.0.0.1:8080/site?x=1", true),
        ("https://shop.example", true),
        ("https://shop.example/any/path", true),
        // Another host, scheme or port.
        ("https://evil.example/welcome/", false),
        ("http://site.example/welcome/", false),
        ("https://site.example:8443/welcome/", false),
        ("http://127.0.0.1:8081/site", false),
        ("http://localhost:8080/site", false),
        // The prefix trick and its relatives.
        ("https://site.example.evil.example/welcome/", false),
        ("https://site.example@evil.example/welcome/", false),
        ("https://site.example%2eevil.example/welcome/", false),
        ("https://shop.example.evil.example", false),
        ("http://127.0.0.1:8080/siteevil", false),
        ("https://site.example/welcomehome", false),
        ("https://site.example/", false),
        // Not an absolute http(s) URL.
        ("javascript:alert(1)", false),
        ("javascript://site.example/welcome/%0aalert(1)", false),
        ("//evil.example", false),
        ("//site.example/welcome/", false),
        ("/welcome/", false),
        ("data:text/html,<script>x</script>", false),
        ("https:/site.example/welcome/", false),
        ("https:\\\\evil.example/welcome/", false),
        ("https://site.example\\@evil.example/welcome/", false),
        ("https://site.example/welcome/ x", false),
        (" https://site.example/welcome/", false),
        ("https://site.example/welcome/\r\nSet-Cookie: a=b", false),
        ("https://site.example/welcome/\"><b>", false),
        ("https://site.example/welcome/../admin", false),
        ("https://site.example/welcome/%2E%2E/admin", false),
        ("https://sité.example/welcome/", false),
        ("https://site.example:0/welcome/", false),
        ("https://site.example:99999/welcome/", false),
        ("", false),
    ])
    func followsOnlyAnAllowedNext(next: String, followed: Bool) throws {
        let token = try TokenSettings(SettingsReader(env: ["OTP_TOKEN_SECRET": String(repeating: "s", count: 32), "OTP_NEXT_ALLOWED": Self.allowed]))
        #expect((token.allowedNext(next) != nil) == followed)
    }

    @Test func withoutATokenSecretNoNextIsFollowed() throws {
        let token = try TokenSettings(SettingsReader(env: ["OTP_NEXT_ALLOWED": Self.allowed]))
        #expect(token.allowedNext("https://site.example/welcome/") == nil)
    }

    @Test func normalisesAndNamesItsOrigin() throws {
        let url = try #require(HTTPURL("HTTPS://Site.Example:443/welcome/?a=1#b"))
        #expect(url.origin == "https://site.example" && url.text == "https://site.example/welcome/?a=1#b")
        #expect(HTTPURL("http://127.0.0.1:8080")?.text == "http://127.0.0.1:8080/")
    }
}
