// The test page in a real browser (headless Chromium through WebDriver) against a real Apache: plain forms, and
// one script on the sent page for the expiry in the visitor's own time. Each step leaves a screenshot in test-artifacts/ to look at.
import Foundation
import Testing
import TestSupport

@Suite(.localApache()) struct BrowserTests {
    @Test func aPersonSendsACodeMistypesItThenChecksIt() async throws {
        let apache = try LocalApache.running, email = uniqueEmail("browser")
        try await WebDriver.withBrowser { browser in
            try await browser.open(apache.baseURL)
            try await browser.waitForTitle("otp-cgi test page")
            try await browser.type("#send input[name=identifier]", email)
            try await browser.screenshot("browser-1-test-page")

            try await browser.click("#send button")
            try await browser.waitForTitle("Code sent")
            try await browser.screenshot("browser-2-code-sent")

            let code = try apache.outbox.code(for: email), wrong = String(code.map { $0 == "0" ? "1" : "0" })
            try await browser.type("input[name=code]", wrong)
            try await browser.click("form button")
            try await browser.waitForTitle("Code not accepted")
            #expect(try await browser.text("#outcome") == "Invalid or expired code")
            try await browser.screenshot("browser-3-wrong-code")

            // The error page offers the check form again, still filled in with the channel and address.
            try await browser.type("input[name=code]", code)
            try await browser.click("form button")
            try await browser.waitForTitle("Verified")
            try await browser.screenshot("browser-4-verified")
            // Back leads to the page the first form was on, through the two answer pages.
            try await browser.click("#back")
            try await browser.waitForTitle("otp-cgi test page")
        }
    }

    /// An identifier whose quotes each carry U+0301 must not come back as a real `style` attribute that a CSP with
    /// 'unsafe-inline' would let Chromium draw over the whole page: it stays the input's value, and the page's own
    /// stylesheet, allowed by its hash, still applies.
    @Test func anIdentifierWithMarkedQuotesStaysTextAndThePageKeepsItsOwnStyle() async throws {
        let apache = try LocalApache.running
        let hostile = "x\"\u{0301} style=\"\u{0301};position:fixed;inset:0;background:red\"\u{0301}"
        try await WebDriver.withBrowser { browser in
            try await browser.open(apache.baseURL)
            try await browser.waitForTitle("otp-cgi test page")
            try await browser.type("#send input[name=identifier]", hostile)
            try await browser.click("#send button")
            try await browser.waitForTitle("Code not sent")
            #expect(try await browser.text("#outcome") == "Invalid email address")
            #expect(try await browser.attribute("input[name=identifier]", "style") == nil)
            #expect(try await browser.attribute("input[name=identifier]", "value") == hostile)
            #expect(try await browser.css("input[name=identifier]", "position") == "static")
            let background = try await browser.css("body", "background-color")
            #expect(background == "rgba(243, 244, 246, 1)", "\(background)")
            try await browser.screenshot("browser-marked-quotes")
        }
    }

    /// The round trip a newcomer sees on make serve: the example site asks for a code with `next` back to itself,
    /// Continue posts the token there, and the site's PHP (the README's snippet) shows whom it verified.
    @Test func theExampleSiteReceivesTheTokenAndShowsTheVerifiedAddress() async throws {
        let apache = try LocalApache.running, email = uniqueEmail("site")
        try await WebDriver.withBrowser { browser in
            try await browser.open(apache.baseURL.appendingPathComponent("site/"))
            try await browser.waitForTitle("Site: sign in")
            try await browser.type("#send input[name=identifier]", email)
            try await browser.screenshot("site-1-sign-in")

            try await browser.click("#send button")
            try await browser.waitForTitle("Code sent")
            try await browser.type("input[name=code]", try apache.outbox.code(for: email))
            try await browser.click("form button")
            try await browser.waitForTitle("Verified")
            try await browser.screenshot("site-2-verified-continue")

            try await browser.click("#continue button")
            try await browser.waitForTitle("Site: verified")
            #expect(try await browser.text("#subject") == email)
            try await browser.screenshot("site-3-claims")
        }
    }
}

/// At a phone's width (360 CSS pixels): every page fits without sideways scrolling, the test page's placeholder is
/// whole, the sent page says when the code expires in local time and how long is left, and a wrong code offers a new one. No cooldown, so the new
/// code can be sent at once.
@Suite(.localApache(["OTP_RESEND_COOLDOWN_SECONDS": "0"])) struct PhoneWidthBrowserTests {
    @Test func everyPageFits360PixelsAndAWrongCodeLeadsToANewOne() async throws {
        let apache = try LocalApache.running, email = uniqueEmail("phone")
        try await WebDriver.withBrowser(width: 360) { browser in
            try await browser.open(apache.baseURL)
            try await browser.waitForTitle("otp-cgi test page")
            #expect(try await browser.script(Self.fits) as? Bool == true)
            let placeholder = try await browser.script(Self.placeholderAndBox) as? [Double] ?? []
            #expect(placeholder.count == 2 && placeholder[0] <= placeholder[1], "placeholder and text box widths: \(placeholder)")
            try await browser.type("#send input[name=identifier]", email)
            try await browser.screenshot("phone-1-test-page")

            try await browser.click("#send button")
            try await browser.waitForTitle("Code sent")
            // The page's script (its CSP allows it by hash) shows the browser's local time and the time left.
            let expiry = try await browser.text("#outcome")
            #expect(expiry.range(of: "^It expires at [0-9]{1,2}:[0-5][0-9] [AP]M \\(in [1-5] minutes?\\)\\.$", options: .regularExpression) != nil, "\(expiry)")
            let local = try await browser.script("return new Date(document.getElementById('expires').dateTime).toLocaleTimeString('en', {hour: 'numeric', minute: '2-digit'})") as? String
            #expect(local.map { expiry.hasPrefix("It expires at \($0) (") } == true, "\(expiry) \(local ?? "")")
            #expect(try await browser.script(Self.fits) as? Bool == true)
            try await browser.screenshot("phone-2-code-sent")

            let first = try apache.outbox.code(for: email)
            try await browser.type("input[name=code]", String(first.map { $0 == "0" ? "1" : "0" }))
            try await browser.click("form button")
            try await browser.waitForTitle("Code not accepted")
            #expect(try await browser.script(Self.fits) as? Bool == true)
            try await browser.screenshot("phone-3-wrong-code")

            try await browser.click("#resend button")
            try await browser.waitForTitle("Code sent")
            #expect(try apache.outbox.messages(to: email).count == 2)
            try await browser.type("input[name=code]", try apache.outbox.code(for: email))
            try await browser.click("form button")
            try await browser.waitForTitle("Verified")
            #expect(try await browser.script(Self.fits) as? Bool == true)
            try await browser.screenshot("phone-4-verified")
        }
    }

    /// Nothing wider than the screen.
    static let fits = "return document.documentElement.scrollWidth <= window.innerWidth"
    /// The width of the identifier's placeholder in the input's own font, and of the input's text box.
    static let placeholderAndBox = """
        const input = document.querySelector('#send input[name=identifier]'), style = getComputedStyle(input);
        const context = document.createElement('canvas').getContext('2d');
        context.font = style.font;
        return [context.measureText(input.placeholder).width,
                input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)];
        """
}
