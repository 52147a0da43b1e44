// Every built-in locale through every channel's real transport: the SMTP server, a stand-in sendmail and the Twilio
// fake; and HTML email from template files, parsed as a mail client would and rendered in Chromium.
import Foundation
import Testing
import TestSupport

@Suite struct LocalizedDeliveryTests {
    /// Each locale's message to its own address, so no cooldown stands between them.
    func address(_ locale: String) -> String { "user-\(locale.lowercased())@example.com" }

    /// A stand-in sendmail that keeps each message it is given, in order, as `sent-NANOSECONDS.eml`.
    func useSendmailRecorder(_ site: Site) throws {
        let path = site.directory.appendingPathComponent("sendmail")
        try DeliveryTools.script(path, "cat > '\(site.directory.path)/sent-'$(date +%s%N).eml\n")
        site.settings.merge(["EMAIL_BACKEND": "sendmail", "EMAIL_SENDMAIL_PATH": path.path]) { $1 }
    }

    func sentBySendmail(_ site: Site) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: site.directory.path).filter { $0.hasPrefix("sent-") }.sorted()
            .map { site.directory.appendingPathComponent($0) }
    }

    /// The subject and text each parsed message must have, and that its code verifies.
    func expectBuiltIn(_ mails: [ParsedMail], _ site: Site) throws {
        try #require(mails.count == BuiltIn.locales.count)
        for (locale, mail) in zip(BuiltIn.locales, mails) {
            mail.expectWellFormed("\(locale)")
            #expect(mail.to == address(locale) && mail.contentType == "text/plain" && mail.parts.count == 1)
            #expect(mail.subject == (try BuiltIn.text(locale, \.emailSubject, code: "")))
            let code = try BuiltIn.code(in: try #require(mail.text))
            #expect(mail.text == (try BuiltIn.text(locale, \.emailText, code: code)))
            #expect(try site.verifies("email", address(locale), code), "\(locale)")
        }
    }

    @Test func everyBuiltInLocaleThroughSMTP() throws {
        let site = try Site()
        let smtp = try FakeServer("smtp_server.py", in: site, ["--mode", "plain"])
        try site.useSMTP(smtp)
        for locale in BuiltIn.locales {
            let answer = try site.run("generate", json: ["channel": "email", "identifier": address(locale), "locale": locale])
            #expect(answer.status == 200 && answer.stderr.contains(" locale=\(locale)\n"), "\(answer.stderr)")
        }
        let files = (1...BuiltIn.locales.count).map { smtp.records.appendingPathComponent("\($0).eml") }
        try expectBuiltIn(try ParsedMail.parse(files), site)
    }

    @Test func everyBuiltInLocaleThroughSendmail() throws {
        let site = try Site()
        try useSendmailRecorder(site)
        for locale in BuiltIn.locales {
            try site.generate("email", address(locale), expecting: 200, locale: locale)
        }
        try expectBuiltIn(try ParsedMail.parse(try sentBySendmail(site)), site)
    }

    /// The fake counts each Body's segments itself (GSM-7 or UCS-2, as Twilio documents), so the service's own
    /// count is not what is checked.
    @Test(arguments: ["sms", "whatsapp"])
    func everyBuiltInLocaleThroughTwilio(channel: String) throws {
        let (site, twilio) = try TwilioDeliveryTests().site(channel, channel == "sms" ? ["OTP_WEBOTP_DOMAIN": "login.shop.example"] : [:])
        for (n, locale) in BuiltIn.locales.enumerated() {
            let phone = "+1415555\(String(1000 + n))"
            try site.generate(channel, phone, expecting: 200, locale: locale)
            let record = try #require(try twilio.recorded().last)
            let body = try #require((record["fields"] as? [String: String])?["Body"])
            let code = try BuiltIn.code(in: body)
            let text = try BuiltIn.text(locale, \.smsText, code: code)
            #expect(body == (channel == "sms" ? "\(text)\n\n@login.shop.example #\(code)" : text))
            #expect(record["problems"] as? [String] == [] && record["segments"] as? Int == 1, "\(locale): \(record)")
            #expect(try site.verifies(channel, phone, code))
        }
    }

    /// A site name full of HTML's special characters, shown as text, never as markup.
    static let siteName = #"Tom & Jerry's <b>"Shop"</b>"#

    static let templates = [
        "en/email.html": """
            <!doctype html><html lang="en"><meta charset="utf-8"><title>{site}</title>
            <style>body { font: 18px sans-serif; } #code { font-size: 32px; letter-spacing: .2em; }</style>
            <h1 id="site">{site}</h1><p>Your code: <span id="code">{code}</span>, for {minutes} minutes.</p></html>
            """,
        "ar/email.html": """
            <!doctype html><html lang="ar" dir="rtl"><meta charset="utf-8"><title>{site}</title>
            <style>body { font: 18px sans-serif; } #code { font-size: 32px; }</style>
            <h1 id="site" dir="auto">{site}</h1><p>رمز التحقق الخاص بك: <span id="code" dir="ltr">{code}</span></p></html>
            """,
        "ar/email.subject": "رمز التحقق من {site}",
    ]

    @Test(arguments: ["smtp", "sendmail"])
    func anHTMLTemplateMakesAMultipartAlternativeMessage(transport: String) throws {
        let site = try Site(["OTP_SITE_NAME": Self.siteName, "OTP_TTL_SECONDS": "600"])
        site.settings["OTP_TEMPLATE_DIR"] = try templateDirectory(in: site, Self.templates)
        var smtp: FakeServer?
        if transport == "smtp" {
            smtp = try FakeServer("smtp_server.py", in: site, ["--mode", "plain"])
            try site.useSMTP(smtp!)
        } else {
            try useSendmailRecorder(site)
        }
        try site.generate("email", "en@example.com", expecting: 200, locale: "en")
        try site.generate("email", "ar@example.com", expecting: 200, locale: "ar")
        let files = try smtp.map { s in [1, 2].map { s.records.appendingPathComponent("\($0).eml") } } ?? sentBySendmail(site)
        let mails = try ParsedMail.parse(files)
        try #require(mails.count == 2)
        let escaped = "Tom &amp; Jerry&#39;s &lt;b&gt;&quot;Shop&quot;&lt;/b&gt;"
        for (mail, locale) in zip(mails, ["en", "ar"]) {
            mail.expectWellFormed("\(locale)")
            #expect(mail.contentType == "multipart/alternative")
            #expect(mail.parts.map(\.contentType) == ["text/plain", "text/html"], "the text first, the preferred last (RFC 2046 5.1.4)")
            let code = try BuiltIn.code(in: try #require(mail.text))
            #expect(mail.text == (try BuiltIn.text(locale, \.emailText, code: code)))
            let html = try #require(mail.html)
            #expect(html.contains("id=\"site\"") && html.contains(">\(escaped)</h1>") && html.contains(">\(code)</span>"))
            #expect(!html.contains("{code}") && !html.contains("{site}") && !html.contains("{minutes}"))
            #expect(try site.verifies("email", "\(locale)@example.com", code))
        }
        #expect(mails[0].subject == "Your verification code" && mails[0].html?.contains("for 10 minutes") == true)
        #expect(mails[1].subject == "رمز التحقق من \(Self.siteName)")
        #expect(mails[1].parts.allSatisfy { $0.transferEncoding == "base64" } && mails[0].parts.allSatisfy { $0.transferEncoding == "7bit" })
    }

    /// The HTML part as Chromium shows it: the site name as text (not bold markup), the code, and Arabic right to left.
    @Test func theHTMLPartRendersInChromium() async throws {
        let site = try Site(["OTP_SITE_NAME": Self.siteName])
        site.settings["OTP_TEMPLATE_DIR"] = try templateDirectory(in: site, Self.templates)
        try site.generate("email", "ar@example.com", expecting: 200, locale: "ar")
        let outbox = try FileManager.default.contentsOfDirectory(atPath: site.outbox.path).filter { $0.hasSuffix(".eml") }
        let mail = try #require(try ParsedMail.parse(outbox.map { site.outbox.appendingPathComponent($0) }).first)
        let page = site.directory.appendingPathComponent("email.html")
        try #require(mail.html).write(to: page, atomically: true, encoding: .utf8)
        let code = try BuiltIn.code(in: try #require(mail.text))
        try await WebDriver.withBrowser { browser in
            try await browser.open(page)
            try await browser.waitForTitle(Self.siteName)
            #expect(try await browser.text("#site") == Self.siteName)
            #expect(try await browser.text("#code") == code)
            #expect(try await browser.elementCount("#site b") == 0)
            #expect(try await browser.css("p", "direction") == "rtl")
            try await browser.screenshot("email-html-ar")
        }
    }
}

extension Site {
    /// Generates a code in `locale` and expects `status`.
    @discardableResult
    func generate(_ channel: String, _ identifier: String, expecting status: Int, locale: String) throws -> CGIAnswer {
        let answer = try run("generate", json: ["channel": channel, "identifier": identifier, "locale": locale])
        #expect(answer.status == status, "\(locale): \(answer.json) \(answer.stderr)")
        return answer
    }
}
