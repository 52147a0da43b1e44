// WhatsApp end to end: cgi-bin/generate sends an approved template through a local fake of Twilio's Messages API
// (a content template) or of Meta's Cloud API (a template message), each checking the request as documented.
import Foundation
import Testing

/// The fakes and settings of a WhatsApp deployment, shared by the CGI and the Apache tests.
enum WhatsAppFakes {
    static let phone = "+14155552671"
    static let twilioSID = "AC0123456789abcdef0123456789abcdef"
    static let twilioToken = "twilio-auth-token-0123456789"
    static let contentEN = "HX" + String(repeating: "0123456789abcdef", count: 2)
    static let contentPT = "HX" + String(repeating: "fedcba9876543210", count: 2)
    static let phoneNumberID = "106540352242922"
    static let cloudToken = "EAAJBcloud-token-0123456789"

    /// A fake Twilio whose approved content templates are `approved`, and the settings that send WhatsApp through it.
    static func twilio(_ site: Site, answer: String = "ok", approved: [String] = [contentEN, contentPT]) throws -> (FakeServer, [String: String]) {
        let cert = try DeliveryTools.certificate(in: site.directory)
        let fake = try FakeServer("fake_twilio.py", in: site, ["--sid", twilioSID, "--token", twilioToken, "--cert", cert.cert, "--key", cert.key,
                                                               "--answer", answer] + approved.flatMap { ["--content", $0] })
        return (fake, ["WA_TWILIO_ACCOUNT_SID": twilioSID, "WA_TWILIO_AUTH_TOKEN": twilioToken, "WA_TWILIO_SENDER": "+14155238886",
                       "OTP_TWILIO_BASE_URL": "https://127.0.0.1:\(fake.port)", "OTP_CA_BUNDLE": cert.cert])
    }

    /// A fake Graph API holding the template `otp_code` approved in en_US and pt_BR, and the settings that use it.
    static func cloud(_ site: Site, answer: String = "ok", template: String = "otp_code") throws -> (FakeServer, [String: String]) {
        let cert = try DeliveryTools.certificate(in: site.directory)
        let fake = try FakeServer("fake_graph.py", in: site, ["--phone-id", phoneNumberID, "--token", cloudToken, "--template", template,
                                                              "--languages", "en_US,pt_BR", "--cert", cert.cert, "--key", cert.key,
                                                              "--answer", answer])
        return (fake, ["WA_CLOUD_PHONE_NUMBER_ID": phoneNumberID, "WA_CLOUD_ACCESS_TOKEN": cloudToken, "WA_CLOUD_TEMPLATE": "otp_code",
                       "WA_CLOUD_TEMPLATE_LANGUAGES": "en_US, pt_BR", "OTP_WA_CLOUD_BASE_URL": "https://127.0.0.1:\(fake.port)/v27.0",
                       "OTP_CA_BUNDLE": cert.cert])
    }

    /// The requests the fake Twilio received, each as Twilio documents a content template send; the last one's fields.
    static func contentSend(_ twilio: FakeServer) throws -> [String: String] {
        let records = try twilio.recorded()
        for record in records {
            #expect(record["path"] as? String == "/2010-04-01/Accounts/\(twilioSID)/Messages.json")
            #expect(record["authorized"] as? Bool == true && record["problems"] as? [String] == [])
        }
        let fields = try #require(records.last?["fields"] as? [String: String])
        #expect(fields["Body"] == nil && fields["To"] == "whatsapp:\(phone)" && fields["From"] == "whatsapp:+14155238886")
        return fields
    }

    /// The code in a content send's ContentVariables (`{"1": "<code>"}`).
    static func code(inContent fields: [String: String]) throws -> String {
        let variables = try JSONSerialization.jsonObject(with: Data(try #require(fields["ContentVariables"]).utf8)) as? [String: String]
        return try #require(variables?["1"])
    }

    /// The template message the fake Graph API received last, checked as Meta documents it: its language and code.
    static func templateSend(_ graph: FakeServer) throws -> (language: String, code: String) {
        let records = try graph.recorded()
        for record in records {
            #expect(record["path"] as? String == "/v27.0/\(phoneNumberID)/messages" && record["content_type"] as? String == "application/json")
            #expect(record["authorized"] as? Bool == true && record["problems"] as? [String] == [])
        }
        let body = try #require(records.last?["json"] as? [String: Any]), template = try #require(body["template"] as? [String: Any])
        #expect(body["to"] as? String == String(phone.dropFirst()) && template["name"] as? String == "otp_code")
        let language = try #require((template["language"] as? [String: String])?["code"])
        let components = try #require(template["components"] as? [[String: Any]])
        let codes = components.compactMap { ($0["parameters"] as? [[String: String]])?.first?["text"] }
        try #require(codes.count == 2 && codes[0] == codes[1])
        return (language, codes[0])
    }
}

@Suite struct WhatsAppDeliveryTests {
    let phone = WhatsAppFakes.phone

    func generate(_ site: Site, locale: String) throws -> CGIAnswer {
        try site.run("generate", json: ["channel": "whatsapp", "identifier": phone, "locale": locale])
    }

    @Test(arguments: [("pt-BR", WhatsAppFakes.contentPT), ("ja", WhatsAppFakes.contentEN)])
    func aContentTemplateCarriesTheCodeAsItsVariableAndNoBody(locale: String, sid: String) throws {
        let site = try Site()
        let (twilio, settings) = try WhatsAppFakes.twilio(site)
        site.settings.merge(settings.merging(["WA_TWILIO_CONTENT_SID": WhatsAppFakes.contentEN,
                                              "WA_TWILIO_CONTENT_SID_PT_BR": WhatsAppFakes.contentPT]) { $1 }) { $1 }
        let sent = try generate(site, locale: locale)
        #expect(sent.status == 200 && sent.detail == "OTP sent" && sent.json["expires_at"] is Int, "\(sent.json) \(sent.stderr)")
        let fields = try WhatsAppFakes.contentSend(twilio)
        #expect(fields["ContentSid"] == sid)
        #expect(try site.verifies("whatsapp", phone, try WhatsAppFakes.code(inContent: fields)))
    }

    @Test func aFreeFormSendOutsideTheWindowIs500SayingProductionNeedsATemplate() throws {
        let site = try Site()
        let (twilio, settings) = try WhatsAppFakes.twilio(site, answer: "63016")
        site.settings.merge(settings) { $1 }
        let failed = try site.generate("whatsapp", phone, expecting: 500, detail: "Could not send the code by whatsapp")
        #expect(failed.stderr.contains("error 63016 (outside WhatsApp's 24-hour window a free-form message is refused: production needs an "
            + "approved WhatsApp authentication template; set WA_TWILIO_CONTENT_SID to its content SID, HX...)"), "\(failed.stderr)")
        let body = try #require(try twilio.recorded().first?["fields"] as? [String: String])["Body"]
        #expect(try !site.verifies("whatsapp", phone, try otpCode(in: body ?? "")))
    }

    @Test func aContentTemplateTwilioDoesNotKnowIs500NamingItsSetting() throws {
        let site = try Site()
        let (twilio, settings) = try WhatsAppFakes.twilio(site, approved: [WhatsAppFakes.contentEN])
        site.settings.merge(settings.merging(["WA_TWILIO_CONTENT_SID": WhatsAppFakes.contentEN,
                                              "WA_TWILIO_CONTENT_SID_PT_BR": WhatsAppFakes.contentPT]) { $1 }) { $1 }
        let failed = try site.run("generate", json: ["channel": "whatsapp", "identifier": phone, "locale": "pt-BR"])
        #expect(failed.status == 500 && failed.detail == "Could not send the code by whatsapp")
        #expect(failed.stderr.contains("error 63027 (the content template WA_TWILIO_CONTENT_SID_PT_BR names does not exist"), "\(failed.stderr)")
        #expect(!failed.stderr.contains(WhatsAppFakes.twilioToken))
        #expect(try !site.verifies("whatsapp", phone, try WhatsAppFakes.code(inContent: try WhatsAppFakes.contentSend(twilio))))
        #expect(try generate(site, locale: "en").status == 200, "a failed send must leave no cooldown")
    }

    @Test(arguments: ["63003", "63024"])
    func aNumberWithoutWhatsAppIsRefusedThroughTwilio(answer: String) throws {
        let site = try Site()
        let (twilio, settings) = try WhatsAppFakes.twilio(site, answer: answer)
        site.settings.merge(settings.merging(["WA_TWILIO_CONTENT_SID": WhatsAppFakes.contentEN]) { $1 }) { $1 }
        try site.generate("whatsapp", phone, expecting: 400, detail: "The phone number cannot receive WhatsApp messages")
        #expect(try !site.verifies("whatsapp", phone, try WhatsAppFakes.code(inContent: try WhatsAppFakes.contentSend(twilio))))
    }

    @Test(arguments: [("pt-BR", "pt_BR"), ("en", "en_US"), ("ja", "en_US")])
    func theCloudAPIGetsTheTemplateInTheLocalesLanguageWithTheCodeInBodyAndButton(locale: String, language: String) throws {
        let site = try Site()
        let (graph, settings) = try WhatsAppFakes.cloud(site)
        site.settings.merge(settings) { $1 }
        let sent = try generate(site, locale: locale)
        #expect(sent.status == 200 && sent.detail == "OTP sent" && sent.json["expires_at"] is Int, "\(sent.json) \(sent.stderr)")
        let message = try WhatsAppFakes.templateSend(graph)
        #expect(message.language == language)
        #expect(try site.verifies("whatsapp", phone, message.code))
    }

    @Test func aNumberWithoutWhatsAppIsRefusedThroughTheCloudAPI() throws {
        let site = try Site()
        let (graph, settings) = try WhatsAppFakes.cloud(site, answer: "131026")
        site.settings.merge(settings) { $1 }
        try site.generate("whatsapp", phone, expecting: 400, detail: "The phone number cannot receive WhatsApp messages")
        #expect(try !site.verifies("whatsapp", phone, try WhatsAppFakes.templateSend(graph).code))
    }

    @Test(arguments: [
        ("otp_code", "131047", "error 131047 (outside WhatsApp's 24-hour window: WA_CLOUD_TEMPLATE must be an approved template)"),
        ("another_template", "ok", "error 132001 (WA_CLOUD_TEMPLATE does not exist in en_US or is not approved: check WA_CLOUD_TEMPLATE "
            + "and WA_CLOUD_TEMPLATE_LANGUAGES)"),
        ("otp_code", "190", "error 190 (the access token is invalid or expired: renew WA_CLOUD_ACCESS_TOKEN"),
    ])
    func aCloudMisconfigurationIs500NamingTheSettingWithoutTheToken(template: String, answer: String, log: String) throws {
        let site = try Site()
        let (graph, settings) = try WhatsAppFakes.cloud(site, answer: answer, template: template)
        site.settings.merge(settings) { $1 }
        let failed = try site.generate("whatsapp", phone, expecting: 500, detail: "Could not send the code by whatsapp")
        #expect(failed.stderr.contains(log), "\(failed.stderr)")
        #expect(!failed.stderr.contains(WhatsAppFakes.cloudToken))
        #expect(try !site.verifies("whatsapp", phone, try WhatsAppFakes.templateSend(graph).code))
    }

    /// The token file is read at each send, and refused while other users may read it.
    @Test func theTokenFileServesWhenOnlyItsOwnerMayReadIt() throws {
        let site = try Site()
        let (graph, settings) = try WhatsAppFakes.cloud(site)
        let file = site.directory.appendingPathComponent("wa.token")
        try (WhatsAppFakes.cloudToken + "\n").write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        site.settings.merge(settings.merging(["WA_CLOUD_ACCESS_TOKEN": "", "WA_CLOUD_ACCESS_TOKEN_FILE": file.path]) { $1 }) { $1 }
        let refused = try site.generate("whatsapp", phone, expecting: 500, detail: "Could not send the code by whatsapp")
        #expect(refused.stderr.contains("WA_CLOUD_ACCESS_TOKEN_FILE must not be readable by other users"), "\(refused.stderr)")
        #expect(try graph.recorded().isEmpty)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        try site.generate("whatsapp", phone, expecting: 200)
        #expect(try site.verifies("whatsapp", phone, try WhatsAppFakes.templateSend(graph).code))
    }

    /// WA_PROVIDERS in order: the Cloud API failing, Twilio's content template carries the code.
    @Test func whatsappProvidersFailOverInTheirOrder() throws {
        let site = try Site()
        let (graph, cloud) = try WhatsAppFakes.cloud(site, answer: "131000")
        let (twilio, settings) = try WhatsAppFakes.twilio(site)
        site.settings.merge(cloud.merging(settings) { $1 }.merging(["WA_PROVIDERS": "cloud, twilio",
                                                                     "WA_TWILIO_CONTENT_SID": WhatsAppFakes.contentEN]) { $1 }) { $1 }
        let sent = try site.generate("whatsapp", phone, expecting: 200)
        #expect(sent.stderr.contains("whatsapp: sent by twilio after cloud failed (WhatsApp Cloud API answered HTTP 500, error 131000"), "\(sent.stderr)")
        #expect(try graph.recorded().count == 1)
        #expect(try site.verifies("whatsapp", phone, try WhatsAppFakes.code(inContent: try WhatsAppFakes.contentSend(twilio))))
    }
}
