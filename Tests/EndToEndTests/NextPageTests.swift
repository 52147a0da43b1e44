// `next` through a real Apache, as a browser's form posts reach it: an allowed one gets a Continue form that posts
// the token to it; any other is ignored, with no Continue, no redirect and no token on the page.
import Foundation
import Testing
import TestSupport

private let nextPageSecret = "next-page-secret-0123456789abcdef"

@Suite(.localApache(["OTP_TOKEN_SECRET": nextPageSecret, "OTP_NEXT_ALLOWED": "https://site.example/welcome/"]))
struct NextPageTests {
    static func form(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    }

    @Test(arguments: [
        ("https://site.example/welcome/?from=otp", true),
        ("https://evil.example/welcome/", false),
        ("javascript:alert(document.cookie)", false),
        ("//evil.example", false),
        ("https://site.example.evil.example/welcome/", false),
        ("https://site.example@evil.example/welcome/", false),
    ])
    func onlyAnAllowedNextGetsAContinueForm(next: String, followed: Bool) async throws {
        let apache = try LocalApache.running, email = uniqueEmail("next")
        let sent = try await apache.postForm("generate", Self.form(["channel": "email", "identifier": email, "next": next]))
        #expect(sent.status == 200 && sent.body.contains("<title>Code sent</title>"))
        #expect(sent.body.contains(#"<input type="hidden" name="next""#) == followed)

        let code = try apache.outbox.code(for: email)
        let checked = try await apache.postForm("verify", Self.form(["channel": "email", "identifier": email, "code": code, "next": next]))
        #expect(checked.status == 200 && checked.body.contains("<h1>Verified</h1>"))
        #expect(checked.headers["location"] == nil)
        let csp = try #require(checked.headers["content-security-policy"])
        if followed {
            #expect(checked.body.contains(#"<form method="post" action="https://site.example/welcome/?from=otp" id="continue">"#))
            #expect(checked.body.contains(#"<input type="hidden" name="otp_token" value="eyJ"#))
            #expect(csp.contains("form-action 'self' https://site.example;"))
            // The token went out in the page only: neither Apache's logs nor the service's lines hold it or the key.
            for log in ["error.log", "access.log"] {
                let text = try String(contentsOf: apache.run.appendingPathComponent(log), encoding: .utf8)
                #expect(!text.contains("eyJ") && !text.contains(nextPageSecret), "\(log)")
            }
        } else {
            #expect(!checked.body.contains("<form") && !checked.body.contains("otp_token") && !checked.body.contains("eyJ"))
            #expect(!checked.body.contains("evil") && !checked.body.contains("javascript"))
            #expect(csp.contains("form-action 'self';"))
        }
    }
}
