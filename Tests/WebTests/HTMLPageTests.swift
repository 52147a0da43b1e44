// The HTML answer for browsers: when it is chosen over JSON, and that nothing echoed into it stays markup.
import Testing
@testable import Web
import Digests
import OTP
import Platform

@Suite struct HTMLPageTests {
    /// RFC 9110 section 12.5.1: the most specific range sets a type's quality; a tie keeps JSON.
    @Test(arguments: [
        (nil, false),
        ("", false),
        ("*/*", false),
        ("application/json", false),
        ("application/json, text/html", false),
        ("text/html;q=0.5, application/json", false),
        ("text/html;q=0, */*", false),
        ("text/html", true),
        ("TEXT/HTML ; charset=utf-8", true),
        ("text/*", true),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", true),
        ("application/json;q=0.5, text/html", true),
        ("*/*;q=0.1, text/html;q=0.2", true),
        ("application/json;Q=0.5, text/html", true),
        ("text/html;q=high, application/json", false),
        ("text/html;quality=0, application/json;q=0.9", true),
        ("text/html, text/html;q=0, application/json;q=0.9", true),
    ] as [(String?, Bool)])
    func htmlOnlyWhenPreferredOverJSON(accept: String?, html: Bool) {
        #expect(HTMLPage.isPreferred(accept: accept) == html)
    }

    @Test func escapesTextAndAttributes() {
        #expect(HTMLEscaping.escape(#"<script>alert("x" & 'y')</script>"#)
                == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
    }

    /// A quote followed by a combining mark is one `Character` that is not `"`: escaping works on bytes.
    @Test func aQuoteWithACombiningMarkIsStillEscaped() {
        #expect(HTMLEscaping.escape("\"\u{301} onfocus=x '\u{301}<\u{338}") == "&quot;\u{301} onfocus=x &#39;\u{301}&lt;\u{338}")
    }

    /// The page of a request refused with `error`, as the endpoint makes it.
    private static func refused(_ error: WebError, _ sent: PageModel.Sent = .init(), endpoint: Endpoint = .verify) -> HTMLPage {
        HTMLPage(PageModel(refused: error, response: Response(error), sent: sent), endpoint: endpoint)
    }

    private static let sentAt = PageModel.Outcome.sent(expiresAt: 1_730_000_000)

    @Test func aSentCodeOffersTheCheckFormPrefilledAndEscaped() {
        let sent = PageModel.Sent(channel: "sms", identifier: "\"><script>x</script>")
        let text = HTMLPage(PageModel(outcome: Self.sentAt, sent: sent), endpoint: .generate).text
        #expect(text.contains(#"<form method="post" action="verify">"#))
        #expect(text.contains(#"<option value="sms" selected>"#))
        #expect(text.contains(#"value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;""#))
        // The one script element is the page's own expiry script, not the identifier.
        #expect(text.components(separatedBy: "<script").count == 2 && text.contains("<script>\(HTMLPage.expiryScript)</script>"))
        #expect(text.contains(#"autocomplete="one-time-code""#))
    }

    /// The page's words in the request's language, right to left for Arabic; the contract's English detail marked as
    /// such; the language carried on in the form; addresses and codes left to right in any page.
    @Test func aPageSpeaksTheRequestsLanguage() {
        var model = PageModel(outcome: Self.sentAt, sent: PageModel.Sent(channel: "email", identifier: "joe@example.com", locale: LanguageTag("ar-EG")),
                              defaultLocale: LanguageTag("de"))
        let text = HTMLPage(model, endpoint: .generate).text
        #expect(text.contains(#"<html lang="ar" dir="rtl">"#) && text.contains("<title>تم إرسال الرمز</title>"))
        #expect(text.contains(#"id="outcome">تنتهي صلاحيته عند <time id="expires" datetime="2024-10-27T03:33:20Z" data-left="0" dir="ltr">03:33 UTC</time>.</p>"#))
        #expect(text.contains(#"<input type="hidden" name="locale" value="ar-EG">"#))
        #expect(text.contains(#"<input name="identifier" dir="ltr" value="joe@example.com" required>"#) && text.contains(#"name="code" dir="ltr""#))
        #expect(text.contains("<button>تحقق من الرمز</button>") && text.contains(#"<option value="email" selected>البريد الإلكتروني</option>"#))
        model.sent.locale = LanguageTag("eo")
        #expect(HTMLPage(model, endpoint: .generate).text.contains(#"<html lang="de" dir="ltr">"#), "the site's default next")
        #expect(Self.refused(.service(.invalidCode)).text.contains(#"<html lang="en" dir="ltr">"#))
        #expect(Self.refused(.service(.invalidCode)).text.contains(#"id="outcome">Invalid or expired code<"#))
    }

    @Test func anErrorOffersTheSameFormAgainAndVerifiedNone() {
        let error = Self.refused(.service(.invalidCode)).text
        #expect(error.contains(#"class="error""#) && error.contains(#"action="verify""#))
        #expect(Self.refused(.methodNotAllowed, endpoint: .generate).text.contains(#"action="generate""#))
        #expect(!HTMLPage(PageModel(outcome: .verified(token: nil)), endpoint: .verify).text.contains("<form"))
    }

    /// The title says "Code sent"; the paragraph says only what the title does not: when the code expires.
    @Test func aSentCodeSaysWhenItExpiresAndNothingTwice() {
        let text = HTMLPage(PageModel(outcome: Self.sentAt), endpoint: .generate).text
        #expect(text.contains(#"<p class="ok" id="outcome">It expires at <time id="expires" datetime="2024-10-27T03:33:20Z" data-left="0" dir="ltr">03:33 UTC</time>.</p>"#))
        #expect(!text.contains("OTP sent"))
    }

    /// The one script, on the sent page only: its exact text allowed by its hash, so nothing else could run; every
    /// other page keeps the policy with no script-src at all.
    @Test func onlyTheSentPageHasAScriptAndItsPolicyAllowsExactlyThatOne() {
        let sent = HTMLPage(PageModel(outcome: Self.sentAt), endpoint: .generate)
        #expect(sent.text.contains("<script>\(HTMLPage.expiryScript)</script>"))
        let hash = Base64.encode(SHA256.hash(HTMLPage.expiryScript.utf8))
        #expect(sent.contentSecurityPolicy == HTMLPage.contentSecurityPolicy.replacingOccurrences(of: "default-src 'none'; ", with: "default-src 'none'; script-src 'sha256-\(hash)'; "))
        for page in [Self.refused(.service(.invalidCode)), HTMLPage(PageModel(outcome: .verified(token: nil)), endpoint: .verify)] {
            #expect(!page.text.contains("<script") && !page.contentSecurityPolicy.contains("script-src"))
        }
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (4_107_542_399, "2100-02-28T23:59:59Z"),
        (-1, "1969-12-31T23:59:59Z"),
    ] as [(Int64, String)])
    func utcIsTheCivilCalendar(seconds: Int64, iso: String) {
        #expect(HTMLPage.utc(seconds).iso == iso)
    }

    /// After a wrong or used-up code, or too many tries, the page offers a new code for the same address; after
    /// another error (a malformed address) it does not.
    @Test(arguments: [(OTPError.invalidCode, true), (.tooManyAttempts, true), (.limited(.failures, retryAfter: 60), true),
                      (.badRequest("Invalid email address"), false)])
    func aRefusedCodeOffersANewOne(error: OTPError, offered: Bool) {
        let sent = PageModel.Sent(channel: "email", identifier: "joe@example.com", next: HTTPURL("https://site.example/"))
        let text = Self.refused(.service(error), sent).text
        #expect(text.contains("""
            <form method="post" action="generate" id="resend">
            <input type="hidden" name="channel" value="email">
            <input type="hidden" name="identifier" value="joe@example.com">
            <input type="hidden" name="next" value="https://site.example/">
            <button>Send a new code</button>
            """) == offered)
    }

    /// Back leads to where the visitor started: the page's own `back` field first, else the Referer; never a page
    /// of the endpoints (a GET of one is a 405) and never anything but an http(s) URL, read as every URL is (`HTTPURL`).
    @Test(arguments: [
        (nil, "https://shop.example/login?x=1", "https://shop.example/login?x=1"),
        ("https://shop.example/start", "https://shop.example/api/otp/generate", "https://shop.example/start"),
        (nil, "https://shop.example/api/otp/generate", nil),
        (nil, "javascript:alert(1)", nil),
        ("https://shop.example/a b", nil, nil),
        (nil, "HTTP://Shop.example/", "http://shop.example/"),
        (nil, "https://shop.example@evil.example/", nil),
    ] as [(String?, String?, String?)])
    func backLeadsWhereTheVisitorStarted(field: String?, referer: String?, back: String?) {
        #expect(BackLink.url(field: field, referer: referer, requestURI: "/api/otp/verify") == back)
    }

    @Test func everyPageHasTheWayBackAndCarriesIt() {
        let text = Self.refused(.service(.invalidCode), PageModel.Sent(channel: "email", identifier: "joe@example.com",
                                                                       back: "https://shop.example/?a=1&b=\"2")).text
        #expect(text.contains(#"<p><a href="https://shop.example/?a=1&amp;b=&quot;2" id="back">Back</a></p>"#))
        #expect(text.components(separatedBy: #"<input type="hidden" name="back" value="https://shop.example/?a=1&amp;b=&quot;2">"#).count == 3)
    }

    @Test func rendersHTMLWithItsHeadersAndStatus() {
        let text = String(decoding: Response(.coolingDown(retryAfter: 3)).bytes(page: Self.refused(.service(.coolingDown(retryAfter: 3)), endpoint: .generate)),
                          as: UTF8.self)
        #expect(text.hasPrefix("Status: 429 Too Many Requests\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"))
        #expect(text.contains("\r\nContent-Security-Policy: default-src 'none'; ") && text.contains("\r\nRetry-After: 3\r\n"))
    }

    private static func verified(next: String?, token: String?) -> HTMLPage {
        HTMLPage(PageModel(outcome: .verified(token: token), sent: PageModel.Sent(channel: "email", identifier: "joe@example.com",
                                                                                   next: next.flatMap(HTTPURL.init))), endpoint: .verify)
    }

    /// The token goes in a POST body to `next`, and the page's CSP lets a form go to that one origin.
    @Test func verifiedWithANextOffersContinueThatPostsTheToken() {
        let page = Self.verified(next: "https://site.example/welcome/?a=1&b=2", token: "aa.bb.cc")
        #expect(page.text.contains("""
            <form method="post" action="https://site.example/welcome/?a=1&amp;b=2" id="continue">
            <input type="hidden" name="otp_token" value="aa.bb.cc">
            <button autofocus>Continue</button>
            """))
        #expect(page.text.contains("<h1>Verified</h1>") && !page.text.contains(#"id="outcome""#))
        #expect(page.contentSecurityPolicy.contains("; form-action 'self' https://site.example; "))
        #expect(!page.contentSecurityPolicy.contains("/welcome"))
    }

    @Test(arguments: [(nil, "aa.bb.cc"), ("https://site.example/welcome/", nil)] as [(String?, String?)])
    func noContinueWithoutBothANextAndAToken(next: String?, token: String?) {
        let page = Self.verified(next: next, token: token)
        #expect(!page.text.contains("<form") && !page.text.contains("aa.bb.cc"))
        #expect(page.contentSecurityPolicy == HTMLPage.contentSecurityPolicy)
    }

    /// After a send or a refused code the check form carries the allowed `next` on; no page but Continue names a token.
    @Test func theCheckFormCarriesNextOn() {
        let sent = PageModel.Sent(next: HTTPURL("https://site.example/welcome/"))
        for (page, policy) in [(HTMLPage(PageModel(outcome: Self.sentAt, sent: sent), endpoint: .generate), HTMLPage.expiryPolicy),
                               (Self.refused(.service(.invalidCode), sent), HTMLPage.contentSecurityPolicy)] {
            #expect(page.text.contains(#"<input type="hidden" name="next" value="https://site.example/welcome/">"#))
            #expect(!page.text.contains("otp_token") && page.contentSecurityPolicy == policy)
        }
    }
}
