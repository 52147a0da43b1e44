// WhatsApp end to end: cgi-bin/generate sends an approved template through a local fake of Twilio's Messages API
// (a content template) or of Meta's Cloud API (a template message), each checking the request as documented.
import Foundation
import Testing
import TestSupport

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
    static func cloud(_ site: Site, answer: String = "ok", template: String = "otp_code", undeliverable: [String] = []) throws
        -> (FakeServer, [String: String]) {
        let cert = try DeliveryTools.certificate(in: site.directory)
        let fake = try FakeServer("fake_graph.py", in: site, ["--phone-id", phoneNumberID, "--token", cloudToken, "--template", template,
                                                              "--languages", "en_US,pt_BR", "--cert", cert.cert, "--key", cert.key,
                                                              "--answer", answer] + undeliverable.flatMap { ["--undeliverable", $0] })
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
    static func templateSend(_ graph: FakeServer, to phone: String = phone) throws -> (language: String, code: String) {
        let records = try graph.recorded()
        for record in records {
            #expect(record["path"] as? String == "/v27.0/\(phoneNumberID)/messages" && record["content_type"] as? String == "application/json")
            #expect(record["authorized"] as? Bool == true && record["problems"] as? [String] == [])
        }
        let to = String(phone.dropFirst())
        let body = try #require(records.compactMap { $0["json"] as? [String: Any] }.last { $0["to"] as? String == to })
        let template = try #require(body["template"] as? [String: Any])
        #expect(template["name"] as? String == "otp_code")
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

/// `generate --check` on WhatsApp: what production needs, said plainly, and the Cloud API's number and token tried
/// with a read-only call that sends nothing.
@Suite struct WhatsAppSelfCheckTests {
    /// A deployment that works otherwise; it lives as long as the test.
    let site: Site
    let healthy: [String: String]

    init() throws { (site, healthy) = try SelfCheckTests().healthy() }

    func check(_ extra: (Site) throws -> (FakeServer, [String: String])) throws -> (Int32, String, FakeServer) {
        let (fake, settings) = try extra(site)
        let (status, output) = try SelfCheckTests.check(healthy.merging(settings) { $1 })
        return (status, output, fake)
    }

    @Test func twilioWithoutAContentSIDIsToldProductionNeedsAnApprovedTemplate() throws {
        let (_, output, twilio) = try check { try WhatsAppFakes.twilio($0) }
        #expect(output.contains("note: WhatsApp: no WA_TWILIO_CONTENT_SID, so Twilio sends each code as free-form text, which WhatsApp "
            + "delivers only within 24 hours of the user's own message to you (Twilio's sandbox); production needs an approved WhatsApp "
            + "authentication template"), "\(output)")
        #expect(try twilio.recorded().isEmpty)
    }

    @Test func twilioWithContentSIDsSaysWhatItCannotCheck() throws {
        let (_, output, _) = try check { site in
            let (fake, settings) = try WhatsAppFakes.twilio(site)
            return (fake, settings.merging(["WA_TWILIO_CONTENT_SID": WhatsAppFakes.contentEN, "WA_TWILIO_CONTENT_SID_PT_BR": WhatsAppFakes.contentPT]) { $1 })
        }
        #expect(output.contains("ok: WhatsApp: Twilio sends the content template \(WhatsAppFakes.contentEN), and its own to pt-BR\n"), "\(output)")
        #expect(output.contains("note: WhatsApp: this check cannot tell whether WhatsApp approved those content templates"))
    }

    @Test func theCloudAPIsNumberAndTokenAreTriedReadOnly() throws {
        let (status, output, graph) = try check { try WhatsAppFakes.cloud($0) }
        #expect(output.contains("ok: WhatsApp: the Cloud API accepts WA_CLOUD_PHONE_NUMBER_ID \(WhatsAppFakes.phoneNumberID) "
            + "(+1 555-010-0199 (Example Shop)) and its token\n"), "\(output)")
        #expect(output.contains("note: WhatsApp: this check cannot tell whether WA_CLOUD_TEMPLATE otp_code is approved in en_US, pt_BR"))
        #expect(!output.contains("WhatsApp: no Twilio account") && status == 0)
        let requests = try graph.recorded()
        #expect(requests.count == 1 && requests[0]["method"] as? String == "GET" && requests[0]["authorized"] as? Bool == true)
    }

    /// The README's SetEnv lines for both providers, word for word, pass the check against the fakes.
    @Test func theREADMEsWhatsAppSettingsPassTheCheck() throws {
        let lines = [
            "SetEnv WA_TWILIO_CONTENT_SID        HX0123456789abcdef0123456789abcdef",
            "SetEnv WA_TWILIO_CONTENT_SID_PT_BR  HXfedcba9876543210fedcba9876543210",
            "SetEnv WA_TWILIO_CONTENT_SID_FR     HX00112233445566778899aabbccddeeff",
            "SetEnv WA_CLOUD_PHONE_NUMBER_ID    106540352242922",
            "SetEnv WA_CLOUD_ACCESS_TOKEN       EAAJBxxxxxxxxxxxxxxxx",
            "SetEnv WA_CLOUD_TEMPLATE           otp_code",
            #"SetEnv WA_CLOUD_TEMPLATE_LANGUAGES "en_US, pt_BR, fr""#,
            #"SetEnv WA_PROVIDERS "cloud, twilio""#,
        ].map { README.says($0) }
        let cert = try DeliveryTools.certificate(in: site.directory)
        let graph = try FakeServer("fake_graph.py", in: site, ["--phone-id", "106540352242922", "--token", "EAAJBxxxxxxxxxxxxxxxx",
                                                               "--template", "otp_code", "--languages", "en_US,pt_BR,fr",
                                                               "--cert", cert.cert, "--key", cert.key])
        let (_, twilio) = try WhatsAppFakes.twilio(site)
        let others = healthy.merging(twilio) { $1 }.merging(["OTP_WA_CLOUD_BASE_URL": "https://127.0.0.1:\(graph.port)/v27.0"]) { $1 }
        let conf = site.directory.appendingPathComponent("otp-cgi.conf")
        try (others.map { "SetEnv \($0.key) \"\($0.value)\"" } + lines).joined(separator: "\n").write(to: conf, atomically: true, encoding: .utf8)
        let (status, output) = try SelfCheckTests.check([:], arguments: ["--config", conf.path])
        #expect(status == 0 && output.contains("ok: WhatsApp: the Cloud API accepts WA_CLOUD_PHONE_NUMBER_ID 106540352242922"), "\(output)")
        #expect(output.contains("ok: WhatsApp: Twilio sends the content template HX0123456789abcdef0123456789abcdef, and its own to fr, pt-BR\n"))
    }

    @Test(arguments: [
        (["WA_CLOUD_ACCESS_TOKEN": "EAAexpired"], "problem: WhatsApp: WhatsApp Cloud API answered HTTP 401, error 190 (the access token is invalid"),
        (["WA_CLOUD_PHONE_NUMBER_ID": "999"], "problem: WhatsApp: WhatsApp Cloud API answered HTTP 400, error 100 (check WA_CLOUD_PHONE_NUMBER_ID"),
        (["WA_CLOUD_TEMPLATE": ""], "problem: WhatsApp: the Cloud API is set up in part: WA_CLOUD_TEMPLATE missing"),
    ])
    func aCloudProblemIsNamedWithItsSetting(broken: [String: String], problem: String) throws {
        let (status, output, _) = try check { site in
            let (fake, settings) = try WhatsAppFakes.cloud(site)
            return (fake, settings.merging(broken) { $1 })
        }
        #expect(status == 1 && output.contains(problem), "\(output)")
        #expect(!output.contains("EAAexpired") && !output.contains(WhatsAppFakes.cloudToken))
    }
}

/// Through a real Apache, as a deployment runs: the settings as SetEnv lines, the code read from the fake as the
/// user would read it on their phone, and checked through Apache too.
@Suite struct WhatsAppApacheTests {
    /// An Apache for `settings`, stopped when `body` ends.
    func withApache(_ settings: [String: String], _ body: (LocalApache) async throws -> Void) async throws {
        let apache = try await LocalApache.start(settings: settings.merging(["OTP_RESEND_COOLDOWN_SECONDS": "30"]) { $1 }, sharedHosting: false)
        defer { apache.stop() }
        try await body(apache)
    }

    /// The contract's acceptance, the same whichever provider sent: `{"detail": "OTP sent", "expires_at": <Unix seconds>}`.
    func expectSent(_ answer: HTTPAnswer) throws {
        let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        #expect(answer.status == 200 && Set(json?.keys ?? [:].keys) == ["detail", "expires_at"] && answer.detail == "OTP sent", "\(answer.body)")
        #expect((json?["expires_at"] as? Int ?? 0) > Int(Date().timeIntervalSince1970))
    }

    @Test func aTwilioContentTemplateCodeVerifies() async throws {
        let site = try Site(), phone = "+14155550101"
        let (twilio, settings) = try WhatsAppFakes.twilio(site)
        try await withApache(settings.merging(["WA_TWILIO_CONTENT_SID": WhatsAppFakes.contentEN,
                                               "WA_TWILIO_CONTENT_SID_PT_BR": WhatsAppFakes.contentPT]) { $1 }) { apache in
            try expectSent(try await apache.post("generate", ["channel": "whatsapp", "identifier": phone, "locale": "pt-BR"]))
            let records = try twilio.recorded()
            #expect(records.count == 1 && records[0]["problems"] as? [String] == [] && records[0]["authorized"] as? Bool == true)
            let fields = try #require(records.last?["fields"] as? [String: String])
            #expect(fields["ContentSid"] == WhatsAppFakes.contentPT && fields["Body"] == nil)
            let code = try WhatsAppFakes.code(inContent: fields)
            let checked = try await apache.post("verify", ["channel": "whatsapp", "identifier": phone, "code": code])
            #expect(checked.status == 200 && checked.detail == "Verified")
        }
    }

    /// One Cloud API deployment whose template is approved in en_US and pt_BR while the operator also lists fr.
    @Test func theCloudAPIDeliversRefusesAndNamesAMissingTemplate() async throws {
        let site = try Site(), phone = "+14155550102", withoutWhatsApp = "+14155550103", french = "+14155550104"
        let (graph, settings) = try WhatsAppFakes.cloud(site, undeliverable: [String(withoutWhatsApp.dropFirst())])
        try await withApache(settings.merging(["WA_CLOUD_TEMPLATE_LANGUAGES": "en_US, pt_BR, fr"]) { $1 }) { apache in
            try expectSent(try await apache.post("generate", ["channel": "whatsapp", "identifier": phone, "locale": "pt-BR"]))
            let sent = try WhatsAppFakes.templateSend(graph, to: phone)
            #expect(sent.language == "pt_BR")
            let checked = try await apache.post("verify", ["channel": "whatsapp", "identifier": phone, "code": sent.code])
            #expect(checked.status == 200 && checked.detail == "Verified")

            for _ in 1...2 {  // the second time finds no cooldown either
                let refused = try await apache.post("generate", ["channel": "whatsapp", "identifier": withoutWhatsApp])
                #expect(refused.status == 400 && refused.detail == "The phone number cannot receive WhatsApp messages", "\(refused.body)")
                try await expectWithdrawn(apache, withoutWhatsApp, try WhatsAppFakes.templateSend(graph, to: withoutWhatsApp).code)
            }

            for _ in 1...2 {
                let failed = try await apache.post("generate", ["channel": "whatsapp", "identifier": french, "locale": "fr"])
                #expect(failed.status == 500 && failed.detail == "Could not send the code by whatsapp", "\(failed.body)")
                let message = try WhatsAppFakes.templateSend(graph, to: french)
                #expect(message.language == "fr")
                try await expectWithdrawn(apache, french, message.code)
            }
            let log = try apache.errorLog(containing: "error 132001 (WA_CLOUD_TEMPLATE does not exist in fr or is not approved: "
                + "check WA_CLOUD_TEMPLATE and WA_CLOUD_TEMPLATE_LANGUAGES)")
            #expect(!log.contains(WhatsAppFakes.cloudToken))
        }
    }

    func expectWithdrawn(_ apache: LocalApache, _ phone: String, _ code: String) async throws {
        let checked = try await apache.post("verify", ["channel": "whatsapp", "identifier": phone, "code": code])
        #expect(checked.status == 400 && checked.detail == "Invalid or expired code")
    }
}

extension LocalApache {
    /// The error log once it holds `text`: a CGI's stderr may reach it a moment after its answer, so it is read
    /// again, a bounded number of times, until it does.
    func errorLog(containing text: String) throws -> String {
        var log = ""
        for _ in 1...200 {
            log = (try? String(contentsOf: run.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
            if log.contains(text) { return log }
            usleep(25_000)
        }
        throw TestFailure("the error log never said \(text):\n\(log)")
    }
}

/// The fakes hold a sender to the providers' documentation: requests the documentation rejects are recorded with
/// their problems and refused, so a sender that made them would fail the tests above.
@Suite struct WhatsAppFakeTests {
    func post(_ fake: FakeServer, _ site: Site, path: String, auth: [String], contentType: String, body: String) throws -> String {
        let cert = try DeliveryTools.certificate(in: site.directory)
        return try DeliveryTools.run("/usr/bin/curl", ["-sS", "--cacert", cert.cert, "-H", "Content-Type: \(contentType)", "--data-binary", body]
                                     + auth + ["https://127.0.0.1:\(fake.port)\(path)"])
    }

    @Test(arguments: [
        ("To=whatsapp%3A%2B14155552671&From=whatsapp%3A%2B14155238886&Body=x&ContentSid=\(WhatsAppFakes.contentEN)"
            + "&ContentVariables=%7B%221%22%3A%22123456%22%7D", "Body sent with ContentSid"),
        ("To=whatsapp%3A%2B14155552671&From=whatsapp%3A%2B14155238886&ContentSid=HX12"
            + "&ContentVariables=%7B%221%22%3A%22123456%22%7D", "ContentSid 'HX12' is not HX and 32 hex digits"),
        ("To=whatsapp%3A%2B14155552671&From=whatsapp%3A%2B14155238886&ContentSid=\(WhatsAppFakes.contentEN)"
            + "&ContentVariables=%7B%222%22%3A%22123456%22%7D", #"ContentVariables '{"2":"123456"}' is not one string variable "1""#),
    ])
    func fakeTwilioRefusesAContentSendTwilioWouldRefuse(form: String, problem: String) throws {
        let site = try Site()
        let (twilio, _) = try WhatsAppFakes.twilio(site)
        let answer = try post(twilio, site, path: "/2010-04-01/Accounts/\(WhatsAppFakes.twilioSID)/Messages.json",
                              auth: ["-u", "\(WhatsAppFakes.twilioSID):\(WhatsAppFakes.twilioToken)"],
                              contentType: "application/x-www-form-urlencoded", body: form)
        #expect(answer.contains(#""status": 400"#))
        let records = try twilio.recorded()
        #expect((records.first?["problems"] as? [String])?.contains(problem) == true, "\(records)")
    }

    @Test(arguments: [
        (#"{"messaging_product":"whatsapp","to":"14155552671","type":"template","template":{"name":"otp_code","language":{"code":"en_US"},"#
            + #""components":[{"type":"body","parameters":[{"type":"text","text":"123456"}]}]}}"#, "components is not [body, button]"),
        (#"{"messaging_product":"whatsapp","to":"14155552671","type":"template","template":{"name":"otp_code","language":{"code":"en_US"},"#
            + #""components":[{"type":"body","parameters":[{"type":"text","text":"123456"}]},"#
            + #"{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"654321"}]}]}}"#,
         "the body and the button carry different codes"),
        (#"{"to":"14155552671","type":"template","template":{"name":"otp_code","language":{"code":"en_US"},"#
            + #""components":[{"type":"body","parameters":[{"type":"text","text":"123456"}]},"#
            + #"{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"text","text":"123456"}]}]}}"#,
         "messaging_product is not whatsapp"),
    ])
    func fakeGraphRefusesATemplateMessageMetaWouldRefuse(body: String, problem: String) throws {
        let site = try Site()
        let (graph, _) = try WhatsAppFakes.cloud(site)
        let answer = try post(graph, site, path: "/v27.0/\(WhatsAppFakes.phoneNumberID)/messages",
                              auth: ["-H", "Authorization: Bearer \(WhatsAppFakes.cloudToken)"], contentType: "application/json", body: body)
        #expect(answer.contains(#""code": 100"#))
        let records = try graph.recorded()
        #expect((records.first?["problems"] as? [String])?.contains(problem) == true, "\(records)")
    }

    @Test func fakeGraphRefusesAWrongToken() throws {
        let site = try Site()
        let (graph, _) = try WhatsAppFakes.cloud(site)
        let answer = try post(graph, site, path: "/v27.0/\(WhatsAppFakes.phoneNumberID)/messages", auth: ["-H", "Authorization: Bearer EAAother"],
                              contentType: "application/json", body: "{}")
        let records = try graph.recorded()
        #expect(answer.contains(#""code": 190"#) && records.first?["authorized"] as? Bool == false)
    }
}
