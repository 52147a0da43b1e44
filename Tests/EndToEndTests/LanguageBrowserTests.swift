// The test page's language choice in a real browser: the answer pages in that language, Arabic right to left,
// checked on the screenshot itself (where the heading's ink lies), not only on the markup.
import Foundation
import Testing
import TestSupport

@Suite(.localApache()) struct LanguageBrowserTests {
    /// The first and last inked columns of a PNG, and its width (Tests/Fakes/png_ink.py).
    func ink(_ png: URL) throws -> (left: Int, right: Int, width: Int) {
        let output = try DeliveryTools.run("/usr/bin/env", ["python3", Project.root.appendingPathComponent("Tests/Fakes/png_ink.py").path, png.path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        return (try #require(json["left"] as? Int), try #require(json["right"] as? Int), try #require(json["width"] as? Int))
    }

    @Test func arabicPagesReadRightToLeftAndEnglishLeftToRight() async throws {
        let apache = try LocalApache.running
        try await WebDriver.withBrowser { browser in
            for (locale, sent, refused) in [("ar", "تم إرسال الرمز", "لم يتم قبول الرمز"), ("en", "Code sent", "Code not accepted")] {
                try await browser.open(apache.baseURL)
                try await browser.waitForTitle("otp-cgi test page")
                try await browser.type("#send input[name=identifier]", uniqueEmail("lang-\(locale)"))
                try await browser.click("#send select[name=locale] option[value=\(locale)]")
                try await browser.click("#send button")
                try await browser.waitForTitle(sent)
                #expect(try await browser.attribute("html", "lang") == locale)
                #expect(try await browser.css("h1", "direction") == (locale == "ar" ? "rtl" : "ltr"))
                try await browser.screenshot("language-\(locale)-1-code-sent")
                let heading = try ink(try await browser.screenshot("language-\(locale)-heading", of: "h1"))
                let (before, after) = (heading.left, heading.width - 1 - heading.right)
                // The heading fills its box's width; its text hugs the start edge of the language's direction.
                #expect(locale == "ar" ? after < before : before < after, "\(locale): ink from \(heading.left) to \(heading.right) of \(heading.width)")

                // The check form carries the language on: a wrong code is refused in it too.
                try await browser.type("input[name=code]", "00000") // too short to be any code
                try await browser.click("form button")
                try await browser.waitForTitle(refused)
                #expect(try await browser.attribute("html", "dir") == (locale == "ar" ? "rtl" : "ltr"))
                try await browser.screenshot("language-\(locale)-2-code-not-accepted")
            }
        }
    }
}
