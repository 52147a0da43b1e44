// Which text a message gets: the operator's settings, template files and built-ins, by locale and truncation.
import Foundation
import Testing
@testable import OTP
@testable import Delivery

@Suite struct MessageCatalogTests {
    /// A template directory holding `files` (path -> text), removed with the test's temporary folder.
    func catalog(_ files: [String: String], _ configure: (inout MessageCatalog) -> Void = { _ in }) throws -> MessageCatalog {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        var catalog = MessageCatalog(MessageSettings())
        catalog.settings.templateDirectory = root.path
        configure(&catalog)
        return catalog
    }

    let tag = { (text: String) in LanguageTag(text)! }

    @Test func theLocaleComesFromTheRequestThenThePhoneThenTheDefault() throws {
        let catalog = try catalog(["eo/sms.txt": "Via kodo: {code}", "pt-BR/email.subject": "Código"]) { $0.settings.defaultLocale = LanguageTag("de")! }
        #expect(catalog.locale(requested: tag("fr-CA"), phone: "+819012345678") == tag("fr"))
        #expect(catalog.locale(requested: tag("eo"), phone: nil) == tag("eo"))
        #expect(catalog.locale(requested: tag("pt-BR"), phone: nil) == tag("pt-BR"))
        #expect(catalog.locale(requested: tag("pt-PT"), phone: nil) == tag("pt"))
        #expect(catalog.locale(requested: tag("xx"), phone: "+819012345678") == tag("de"), "a request's own choice is not overruled by its number")
        #expect(catalog.locale(requested: nil, phone: "+819012345678") == tag("ja"))
        #expect(catalog.locale(requested: nil, phone: "+5511987654321") == tag("pt-BR"))
        #expect(catalog.locale(requested: nil, phone: "+41791234567") == tag("de"))
        #expect(catalog.locale(requested: nil, phone: nil) == tag("de"))
    }

    @Test func eachPartComesFromTheMostSpecificSource() throws {
        let catalog = try catalog([
            "pt-BR/email.subject": "Seu código {site}\n", "pt/sms.txt": "SMS pt {code}\n",
            "en/email.txt": "File text {code}", "en/email.html": "<p style=\"a { b: c }\">{code} {site}</p>",
        ]) { $0.settings.siteName = "A&B <Shop>"; $0.settings.emailTemplate = "Setting text {code} {minutes}"; $0.ttlSeconds = 61 }
        let br = try catalog.message(for: .email, locale: tag("pt-BR"), code: "123456")
        #expect(br == .init(subject: "Seu código A&B <Shop>", text: "Seu código de verificação é: 123456", html: nil))
        #expect(try catalog.message(for: .sms, locale: tag("pt-BR"), code: "123456").text == "SMS pt 123456")
        let en = try catalog.message(for: .email, locale: tag("en"), code: "123456")
        #expect(en == .init(subject: "Your verification code", text: "Setting text 123456 2",
                            html: "<p style=\"a { b: c }\">123456 A&amp;B &lt;Shop&gt;</p>"))
        #expect(try catalog.message(for: .email, locale: tag("en-GB"), code: "1234").html == "<p style=\"a { b: c }\">1234 A&amp;B &lt;Shop&gt;</p>")
        #expect(try catalog.message(for: .email, locale: tag("fr"), code: "1234").html == nil, "no HTML in another language than the text")
    }

    @Test func theSettingsWinForTheDefaultLocaleOnly() throws {
        let catalog = try catalog(["de/sms.txt": "Datei {code}"]) {
            $0.settings.defaultLocale = LanguageTag("de")!; $0.settings.smsTemplate = "Einstellung {code}"; $0.settings.emailSubject = "Betreff"
        }
        #expect(try catalog.message(for: .sms, locale: tag("de"), code: "1234").text == "Einstellung 1234")
        #expect(try catalog.message(for: .email, locale: tag("de"), code: "1234").subject == "Betreff")
        #expect(try catalog.message(for: .sms, locale: tag("de-CH"), code: "1234").text == "Einstellung 1234")
        #expect(try catalog.message(for: .sms, locale: tag("it"), code: "1234").text == "Il tuo codice di verifica è: 1234")
        #expect(try catalog.message(for: .email, locale: tag("eo"), code: "1234").subject == "Betreff", "a locale without a subject falls back to the default's")
    }

    @Test(arguments: [
        (["fr/sms.txt": "Code {cod}"], "OTP_TEMPLATE_DIR/fr/sms.txt has the unknown placeholder {cod}; the placeholders are {code}, {minutes} and {site}"),
        (["fr/sms.txt": "Pas de code"], "OTP_TEMPLATE_DIR/fr/sms.txt must contain {code}"),
        (["fr/sms.txt": "{code} pour {site}"], "OTP_TEMPLATE_DIR/fr/sms.txt uses {site} but OTP_SITE_NAME is not set"),
        (["fr/email.subject": "Code\nBcc: x@y"], "OTP_TEMPLATE_DIR/fr/email.subject must be one line without control characters"),
        (["fr/email.html": "<p>{Code}</p>"], "OTP_TEMPLATE_DIR/fr/email.html has the unknown placeholder {Code}; the placeholders are {code}, {minutes} and {site}"),
        (["fr/email.txt": String(repeating: "x", count: 65537) + "{code}"], "OTP_TEMPLATE_DIR/fr/email.txt is larger than 64 KiB"),
    ])
    func aBrokenTemplateIsAFaultNamingIt(files: [String: String], fault: String) throws {
        let catalog = try catalog(files)
        let channel: Channel = files.keys.first!.hasSuffix("sms.txt") ? .sms : .email
        #expect(throws: TemplateFault(fault)) { try catalog.message(for: channel, locale: tag("fr"), code: "123456") }
        #expect(catalog.problems().contains(fault))
    }

    @Test func aFileThatIsNotUTF8IsAFault() throws {
        let catalog = try catalog([:])
        let dir = URL(fileURLWithPath: catalog.settings.templateDirectory!).appendingPathComponent("fr")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data([0x43, 0xff, 0x7b]).write(to: dir.appendingPathComponent("sms.txt"))
        #expect(throws: TemplateFault("OTP_TEMPLATE_DIR/fr/sms.txt is not UTF-8")) { try catalog.message(for: .sms, locale: tag("fr"), code: "1") }
    }

    @Test func anSMSOverTheSegmentLimitIsAFaultNamingItsCount() throws {
        let long = try catalog(["ru/sms.txt": "Ваш одноразовый код для входа на сайт: {code}"]) { $0.webOTPDomain = "example.com"; $0.codeLength = 8 }
        let fault = "OTP_TEMPLATE_DIR/ru/sms.txt needs 2 SMS segments (UCS-2, 71 UTF-16 units) with a 8-digit code and the WebOTP line; OTP_SMS_MAX_SEGMENTS is 1"
        #expect(throws: TemplateFault(fault)) { try long.message(for: .sms, locale: tag("ru"), code: "12345678") }
        #expect(try long.message(for: .whatsapp, locale: tag("ru"), code: "12345678").text.hasSuffix("12345678"), "WhatsApp has no segments")
        var two = long
        two.settings.maxSMSSegments = 2
        #expect(try two.message(for: .sms, locale: tag("ru"), code: "12345678").text == "Ваш одноразовый код для входа на сайт: 12345678")
        #expect(long.problems() == [fault])
    }

    @Test func theSelfCheckFindsNothingWrongWithTheBuiltInsAndReportsStrayFolders() throws {
        #expect(MessageCatalog(MessageSettings()).problems() == [])
        let catalog = try catalog(["pt_BR/sms.txt": "{code}", "EN/sms.txt": "{code}"])
        #expect(catalog.problems() == [
            "OTP_TEMPLATE_DIR/EN is not a canonical language tag (such as pt-BR), so no request uses it",
            "OTP_TEMPLATE_DIR/pt_BR is not a canonical language tag (such as pt-BR), so no request uses it",
        ])
    }
}
