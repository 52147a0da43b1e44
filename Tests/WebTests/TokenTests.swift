// The signed token: base64url and HS256 against their RFCs, the exact claims written, and the token settings.
import Foundation
import Testing
@testable import Web
import OTP
import Digests
import Platform

@Suite struct TokenTests {
    /// RFC 4648 section 10, in the URL alphabet without padding; the last two need `-` and `_`.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func base64URLMatchesRFC4648(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
    }

    /// The same vectors padded, in the standard alphabet: the RFC 2047 words of a non-ASCII mail subject.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func base64MatchesRFC4648(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.encode([0xfb, 0xff]) == "+/8=")
    }

    @Test func base64URLUsesTheURLAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.encode([0xff, 0xef, 0xbe]) == "_---")
    }

    /// RFC 7515 appendix A.1: its HS256 example, signed with our HMAC and encoded with our base64url.
    @Test func signsRFC7515ExampleA1() throws {
        let jwk = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
        let key = try #require(Data(base64Encoded: jwk.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="))
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        #expect(Base64URL.encode(HMAC.sha256(key: Array(key), message: input.utf8)) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    }

    @Test func writesTheHeaderAndClaimsExactly() throws {
        var settings = TokenSettings()
        settings.ttlSeconds = 120
        let identifier = try Identifier(channel: .email, raw: " Joe@Example.com ")
        let token = VerificationToken.make(for: identifier, settings: settings, secret: Array(repeating: 7, count: 32),
                                           now: 1_700_000_000, jti: Array(0..<16))
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        #expect(try decoded(parts[0]) == #"{"alg":"HS256","typ":"JWT"}"#)
        #expect(try decoded(parts[1])
                == #"{"iss":"otp-cgi","sub":"joe@example.com","channel":"email","iat":1700000000,"exp":1700000120,"jti":"AAECAwQFBgcICQoLDA0ODw"}"#)
        #expect(parts[2] == Base64URL.encode(HMAC.sha256(key: Array(repeating: 7, count: 32), message: (parts[0] + "." + parts[1]).utf8)))
        #expect(!token.contains("="))
    }

    /// The audience when set, and text that needs escaping stays one JSON string.
    @Test func escapesIssuerAndAudience() throws {
        let settings = try TokenSettings(SettingsReader(env: ["OTP_TOKEN_SECRET": String(repeating: "k", count: 32),
                                                  "OTP_TOKEN_ISSUER": #"shop "a" \ <b>"#, "OTP_TOKEN_AUDIENCE": "https://shop.example"]))
        let identifier = try Identifier(channel: .sms, raw: "+1 415 555 2671")
        let token = VerificationToken.make(for: identifier, settings: settings, secret: settings.secret!, now: 5, jti: Array(repeating: 0, count: 16))
        let claims = try decoded(String(token.split(separator: ".")[1]))
        #expect(claims.hasPrefix(#"{"iss":"shop \"a\" \\ \u003cb\u003e","aud":"https://shop.example","sub":"+14155552671","channel":"sms","iat":5,"exp":305,"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(claims.utf8)) as? [String: Any])
        #expect(object["iss"] as? String == #"shop "a" \ <b>"#)
    }

    @Test func randomJTIsDiffer() throws {
        let identifier = try Identifier(channel: .email, raw: "a@example.com")
        let make = { VerificationToken.make(for: identifier, settings: TokenSettings(), secret: Array(repeating: 1, count: 32), now: 1) }
        #expect(make() != make())
    }

    @Test func tokenDefaults() throws {
        let token = try TokenSettings(SettingsReader(env: [:]))
        #expect(token.secret == nil && token.issuer == "otp-cgi" && token.audience == nil && token.ttlSeconds == 300)
        #expect(token.nextAllowed.isEmpty)
    }

    private func decoded(_ part: String) throws -> String {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
    }
}
