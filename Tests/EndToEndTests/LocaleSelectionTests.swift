// Which language a code is sent in: the locale field, Accept-Language, the phone's country, the default; and the
// 400 for a tag that is not one, the 500 for a template that cannot be sent.
import Foundation
import Testing
import TestSupport

@Suite struct LocaleSelectionTests {
    /// One generate through the real executable; returns the locale its log line names and the message's text.
    func send(_ site: Site, channel: String = "email", to identifier: String? = nil, field: String? = nil,
              acceptLanguage: String? = nil, form: Bool = false) throws -> (locale: String, text: String) {
        let identifier = identifier ?? uniqueEmail("locale")
        var fields = ["channel": channel, "identifier": identifier]
        fields["locale"] = field
        let extra = acceptLanguage.map { ["HTTP_ACCEPT_LANGUAGE": $0] } ?? [:]
        let answer = form
            ? try site.run("generate", fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                .joined(separator: "&"), contentType: "application/x-www-form-urlencoded", extra: extra)
            : try site.run("generate", String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self), extra: extra)
        try #require(answer.status == 200, "\(answer.json) \(answer.stderr)")
        let locale = try #require(answer.stderr.components(separatedBy: " locale=").last?.prefix { !$0.isWhitespace })
        if channel != "email" {
            let line = try #require(answer.stderr.components(separatedBy: "\n").first { $0.contains("console \(channel) backend: to ") })
            return (String(locale), String(line[line.range(of: "\(identifier): ")!.upperBound...]))
        }
        let newest = try FileManager.default.contentsOfDirectory(atPath: site.outbox.path).filter { $0.hasSuffix(".eml") }.sorted().last
        let file = site.outbox.appendingPathComponent(try #require(newest))
        let mail = try #require(try ParsedMail.parse([file]).first)
        return (String(locale), try #require(mail.text))
    }

    @Test(arguments: [
        // field, Accept-Language, chosen
        ("fr", nil, "fr"),
        ("pt-BR", nil, "pt-BR"),
        ("PT-br", nil, "pt-BR"),
        ("pt-PT", nil, "pt"),
        ("de-CH-1996", nil, "de"),
        ("zh-Hans-CN", nil, "zh"),
        ("eo", nil, "en"),
        ("", "es", "es"),
        (nil, "es-MX,es;q=0.9,en;q=0.8", "es"),
        (nil, "eo, ja;q=0.5, ru;q=0.7", "ru"),
        (nil, "*, fr;q=0.1", "fr"),
        (nil, "../../etc/passwd, hi;q=0.2", "hi"),
        (nil, "en;q=0, ar", "ar"),
        ("it", "ja", "it"),
        ("eo", "ja", "en"),
    ] as [(String?, String?, String)])
    func anEmailIsInTheFieldsOrTheHeadersLanguage(field: String?, acceptLanguage: String?, chosen: String) throws {
        let site = try Site()
        let sent = try send(site, field: field, acceptLanguage: acceptLanguage)
        #expect(sent.locale == chosen)
        #expect(sent.text == (try BuiltIn.text(chosen, \.emailText, code: try BuiltIn.code(in: sent.text))))
    }

    @Test(arguments: [
        // phone, field, Accept-Language, OTP_DEFAULT_LOCALE, chosen
        ("+819012345678", nil, nil, nil, "ja"),
        ("+5511987654321", nil, nil, nil, "pt-BR"),
        ("+351912345678", nil, nil, nil, "pt"),
        ("+966501234567", nil, nil, nil, "ar"),
        ("+79123456789", nil, nil, nil, "ru"),
        ("+41791234567", nil, nil, "de", "de"),
        ("+41791234567", nil, nil, nil, "en"),
        ("+819012345678", "fr", nil, nil, "fr"),
        ("+819012345678", nil, "tr", nil, "tr"),
        ("+819012345678", "eo", nil, "nl", "nl"),
    ] as [(String, String?, String?, String?, String)])
    func anSMSFallsBackToThePhonesCountry(phone: String, field: String?, acceptLanguage: String?, defaultLocale: String?, chosen: String) throws {
        let site = try Site(defaultLocale.map { ["OTP_DEFAULT_LOCALE": $0] } ?? [:])
        for channel in ["sms", "whatsapp"] {
            let sent = try send(site, channel: channel, to: phone, field: field, acceptLanguage: acceptLanguage)
            #expect(sent.locale == chosen)
            #expect(sent.text == (try BuiltIn.text(chosen, \.smsText, code: try BuiltIn.code(in: sent.text))))
        }
    }

    @Test func theDefaultLocaleServesAnEmailWithoutAChoiceAndAFormFieldWorksToo() throws {
        let site = try Site(["OTP_DEFAULT_LOCALE": "de"])
        #expect(try send(site).locale == "de")
        #expect(try send(site, field: "ja", form: true).locale == "ja")
    }

    @Test(arguments: ["../en", "en/../../etc/passwd", "..", "en_US", "en-", "fr/", "x-private", "i-klingon", "en US", "fr\u{0}",
                      String(repeating: "a", count: 36), "de-DE-" + String(repeating: "abcdefgh-", count: 4) + "x"])
    func aLocaleThatIsNotATagIs400NamingTheField(locale: String) throws {
        let site = try Site()
        let answer = try site.run("generate", json: ["channel": "email", "identifier": "joe@example.com", "locale": locale])
        #expect(answer.status == 400)
        #expect(answer.detail == "locale must be a BCP 47 language tag such as pt-BR")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: site.outbox.path)) ?? []).isEmpty, "nothing sent")
    }

    @Test func aLocaleThatIsNotAStringIs400() throws {
        let site = try Site()
        let answer = try site.run("generate", #"{"channel": "email", "identifier": "joe@example.com", "locale": ["fr"]}"#)
        #expect(answer.status == 400 && answer.detail == "locale must be a string")
    }

    @Test(arguments: [
        (["OTP_DEFAULT_LOCALE": "english"], "OTP_DEFAULT_LOCALE must be a BCP 47 language tag such as pt-BR"),
        (["OTP_TEMPLATE_DIR": "templates"], "OTP_TEMPLATE_DIR must be an absolute path"),
        (["OTP_SMS_MAX_SEGMENTS": "0"], "OTP_SMS_MAX_SEGMENTS must be a whole number from 1 to 10"),
        (["OTP_SMS_TEMPLATE": "Code {code} for {user}"],
         "OTP_SMS_TEMPLATE has the unknown placeholder {user}; the placeholders are {code}, {minutes} and {site}"),
        (["OTP_EMAIL_TEMPLATE": "Welcome"], "OTP_EMAIL_TEMPLATE must contain {code}"),
        (["OTP_SITE_NAME": "Shop\nBcc: x@example.com"], "OTP_SITE_NAME must not contain control characters"),
    ])
    func aBadSettingIsAMisconfiguration(settings: [String: String], detail: String) throws {
        let site = try Site(settings)
        let answer = try site.run("generate", json: ["channel": "email", "identifier": "joe@example.com"])
        #expect(answer.status == 500 && answer.detail == "server misconfigured: \(detail)", "\(answer.json)")
    }

    /// Found at the first request that needs the template, before anything is stored: no cooldown is left behind.
    @Test(arguments: [
        (["fr/sms.txt": "Votre code : {cod}"], [String: String](),
         "OTP_TEMPLATE_DIR/fr/sms.txt has the unknown placeholder {cod}; the placeholders are {code}, {minutes} and {site}"),
        (["fr/sms.txt": "Bonjour"], [:], "OTP_TEMPLATE_DIR/fr/sms.txt must contain {code}"),
        (["fr/sms.txt": "{site} : {code}"], [:], "OTP_TEMPLATE_DIR/fr/sms.txt uses {site} but OTP_SITE_NAME is not set"),
        (["fr/sms.txt": String(repeating: "Votre code de connexion. ", count: 7) + "{code}"], [:],
         "OTP_TEMPLATE_DIR/fr/sms.txt needs 2 SMS segments (GSM-7, 181 septets) with a 6-digit code; OTP_SMS_MAX_SEGMENTS is 1"),
        ([:], ["OTP_SMS_TEMPLATE": "Ваш одноразовый код для входа на сайт: {code}", "OTP_WEBOTP_DOMAIN": "login.example-shop.com", "OTP_DEFAULT_LOCALE": "fr"],
         "OTP_SMS_TEMPLATE needs 2 SMS segments (UCS-2, 78 UTF-16 units) with a 6-digit code and the WebOTP line; OTP_SMS_MAX_SEGMENTS is 1"),
    ])
    func aTemplateThatCannotBeSentIs500AndStoresNothing(files: [String: String], settings: [String: String], detail: String) throws {
        let site = try Site(settings)
        if !files.isEmpty { site.settings["OTP_TEMPLATE_DIR"] = try templateDirectory(in: site, files) }
        for _ in 0..<2 {
            let answer = try site.run("generate", json: ["channel": "sms", "identifier": "+33612345678"])
            #expect(answer.status == 500 && answer.detail == "server misconfigured: \(detail)", "\(answer.json)")
            #expect(!answer.stderr.contains("console sms backend"))
        }
    }

    @Test func moreSegmentsMayBeAllowed() throws {
        let site = try Site(["OTP_SMS_MAX_SEGMENTS": "2", "OTP_SMS_TEMPLATE": String(repeating: "Votre code de connexion. ", count: 7) + "{code}"])
        let sent = try send(site, channel: "sms", to: "+14155552671")
        #expect(sent.text.hasPrefix("Votre code de connexion.") && sent.locale == "en")
    }

    /// Template files serve their locale; an operator's folder makes its locale available to Accept-Language.
    @Test func aTemplateFolderAddsALocaleAndOverridesABuiltIn() throws {
        let site = try Site(["OTP_SITE_NAME": "Shop"])
        site.settings["OTP_TEMPLATE_DIR"] = try templateDirectory(in: site, [
            "eo/email.txt": "Via kodo por {site}: {code} ({minutes} min)\n", "eo/email.subject": "Via kodo\n", "fr/email.txt": "Code {site} : {code}",
        ])
        let eo = try send(site, acceptLanguage: "eo, fr;q=0.5")
        let eoCode = try BuiltIn.code(in: eo.text)
        #expect(eo.locale == "eo" && eo.text == "Via kodo por Shop: \(eoCode) (5 min)")
        let fr = try send(site, field: "fr-BE")
        let frCode = try BuiltIn.code(in: fr.text)
        #expect(fr.locale == "fr" && fr.text == "Code Shop : \(frCode)")
    }

    /// `generate --check` finds what no request has met yet: every built-in locale and template folder, each channel.
    @Test func theSelfCheckNamesEveryBrokenTemplate() throws {
        let (site, settings) = try SelfCheckTests().healthy()
        defer { withExtendedLifetime(site) {} }
        #expect(try SelfCheckTests.check(settings).1.contains("\nok: messages\n"))
        let directory = try templateDirectory(in: site, ["fr/sms.txt": "Votre code : {cod}", "pt_BR/sms.txt": "{code}"])
        let (status, output) = try SelfCheckTests.check(settings.merging(["OTP_TEMPLATE_DIR": directory, "OTP_WEBOTP_DOMAIN": "login.example-shop.com",
                                                                          "OTP_CODE_LENGTH": "10"]) { $1 })
        #expect(status == 1, "\(output)")
        #expect(output.contains("problem: messages: OTP_TEMPLATE_DIR/fr/sms.txt has the unknown placeholder {cod}; the placeholders are "))
        #expect(output.contains("problem: messages: OTP_TEMPLATE_DIR/pt_BR is not a canonical language tag (such as pt-BR), so no request uses it"))
        // A 22-character WebOTP domain and 10-digit codes: the UCS-2 languages' built-in SMS no longer fit one segment.
        #expect(output.contains("problem: messages: the built-in ar SMS text needs 2 SMS segments (UCS-2, 71 UTF-16 units) with a 10-digit code and the WebOTP line; OTP_SMS_MAX_SEGMENTS is 1"))
        #expect(!output.contains("the built-in en SMS text"))
    }
}
