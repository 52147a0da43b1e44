// What a WhatsApp code is sent as: Twilio's content template or the Cloud API's template message, in which
// language, and what each provider's answers mean for the client (400, 500 or success).
import Testing
@testable import Delivery
import OTP

@Suite struct WhatsAppTemplateTests {
    static let en = "HX" + String(repeating: "0123456789abcdef", count: 2)
    static let ptBR = "HX" + String(repeating: "fedcba9876543210", count: 2)
    static let fr = "HX" + String(repeating: "00112233445566778899aabbccddeeff", count: 1)

    func tag(_ text: String) -> LanguageTag { LanguageTag(text)! }

    @Test func contentSIDsAreReadPerLocaleFromTheSuffix() throws {
        let delivery = try deliverySettings(["WA_TWILIO_CONTENT_SID": Self.en, "WA_TWILIO_CONTENT_SID_PT_BR": Self.ptBR,
                                             "WA_TWILIO_CONTENT_SID_FR": Self.fr])
        #expect(delivery.whatsappContent == TwilioContentSIDs(fallback: Self.en, byLocale: [tag("pt-BR"): Self.ptBR, tag("fr"): Self.fr]))
    }

    /// The message text's rules: the locale and its truncations, the default locale's, then the fallback.
    @Test(arguments: [
        ("pt-BR", "en", ptBR, "WA_TWILIO_CONTENT_SID_PT_BR"), ("fr-CA", "en", fr, "WA_TWILIO_CONTENT_SID_FR"),
        ("pt", "en", en, "WA_TWILIO_CONTENT_SID"), ("de", "fr", fr, "WA_TWILIO_CONTENT_SID_FR"), ("de", "en", en, "WA_TWILIO_CONTENT_SID"),
    ])
    func aLocaleTakesItsOwnContentSIDElseTheDefaultLocalesElseTheFallback(locale: String, defaultLocale: String, sid: String, setting: String) {
        let sids = TwilioContentSIDs(fallback: Self.en, byLocale: [tag("pt-BR"): Self.ptBR, tag("fr"): Self.fr])
        let chosen = sids.sid(for: tag(locale), defaultLocale: tag(defaultLocale))
        #expect(chosen?.sid == sid && chosen?.setting == setting)
    }

    @Test(arguments: [
        ["WA_TWILIO_CONTENT_SID": "HX123"], ["WA_TWILIO_CONTENT_SID": "MG" + String(repeating: "0", count: 32)],
        ["WA_TWILIO_CONTENT_SID": en, "WA_TWILIO_CONTENT_SID_PT_BR": "HXnothex" + String(repeating: "0", count: 26)],
        ["WA_TWILIO_CONTENT_SID": en, "WA_TWILIO_CONTENT_SID_P_T_B_R": ptBR], ["WA_TWILIO_CONTENT_SIDX": ptBR],
        ["WA_TWILIO_CONTENT_SID_FR": fr],
    ])
    func badContentSIDSettingsAreNamed(env: [String: String]) {
        misconfiguration(env, naming: "WA_TWILIO_CONTENT_SID")
    }

    func twilio(_ env: [String: String]) throws -> TwilioSender {
        let delivery = try deliverySettings(["WA_TWILIO_ACCOUNT_SID": "AC1", "WA_TWILIO_AUTH_TOKEN": "t", "WA_TWILIO_SENDER": "+14155238886"]
            .merging(env) { $1 })
        return try #require(TwilioSender(account: delivery.whatsapp, channel: .whatsapp, delivery: delivery))
    }

    func message(_ locale: String, code: String = "123456") throws -> OutgoingMessage {
        OutgoingMessage(recipient: try Identifier(channel: .whatsapp, raw: "+14155552671"), code: code, subject: nil,
                        text: "Your OTP code is: \(code)", locale: tag(locale))
    }

    @Test func aContentTemplateSendsContentSidAndTheCodeAsVariableOneAndNoBody() throws {
        let sender = try twilio(["WA_TWILIO_CONTENT_SID": Self.en, "WA_TWILIO_CONTENT_SID_PT_BR": Self.ptBR])
        let message = try message("pt-BR")
        let content = try #require(sender.template(for: message))
        #expect(sender.form(to: message.recipient.value, body: message.text, content: (content.sid, message.code))
                == "To=whatsapp%3A%2B14155552671&From=whatsapp%3A%2B14155238886&ContentSid=\(Self.ptBR)"
                + "&ContentVariables=%7B%221%22%3A%22123456%22%7D")
    }

    @Test func withoutAContentSIDWhatsAppSendsTheFreeFormBody() throws {
        #expect(try twilio([:]).template(for: try message("en")) == nil)
        let sms = try deliverySettings(["SMS_TWILIO_ACCOUNT_SID": "AC1", "SMS_TWILIO_AUTH_TOKEN": "t", "SMS_TWILIO_SENDER": "+1500",
                                        "WA_TWILIO_CONTENT_SID": Self.en])
        #expect(TwilioSender(account: sms.sms, channel: .sms, delivery: sms)?.template(for: try message("en")) == nil)
    }

    @Test(arguments: [
        (nil as String?, 63016, "Twilio answered HTTP 400, error 63016 (outside WhatsApp's 24-hour window a free-form message is refused: "
            + "production needs an approved WhatsApp authentication template; set WA_TWILIO_CONTENT_SID to its content SID, HX...)"),
        ("WA_TWILIO_CONTENT_SID_FR", 63027, "Twilio answered HTTP 400, error 63027 (the content template WA_TWILIO_CONTENT_SID_FR names "
            + "does not exist or is not approved in this language)"),
    ])
    func templateErrorsAreOur500NamingTheSetting(template: String?, code: Int, log: String) {
        let body = Array(#"{"code": \#(code), "message": "x", "status": 400}"#.utf8)
        #expect(throws: DeliveryFault(log)) { try TwilioSender.check(ProviderReply(status: 400, body: body), channel: .whatsapp, template: template) }
    }

    @Test func twilio63024IsARefusedRecipient() {
        let body = Array(#"{"code": 63024, "message": "Invalid message recipient", "status": 400}"#.utf8)
        #expect(throws: DeliveryFault(refused: "The phone number cannot receive WhatsApp messages")) {
            try TwilioSender.check(ProviderReply(status: 400, body: body), channel: .whatsapp)
        }
    }

    static let cloud = ["WA_CLOUD_PHONE_NUMBER_ID": "106540352242922", "WA_CLOUD_ACCESS_TOKEN": "EAAJBtoken",
                        "WA_CLOUD_TEMPLATE": "otp_code", "WA_CLOUD_TEMPLATE_LANGUAGES": "en_US, pt_BR fr"]

    @Test func theCloudAPIsSettingsAreRead() throws {
        let account = try deliverySettings(Self.cloud.merging(["OTP_WA_CLOUD_BASE_URL": "https://graph.test/v27.0/", "OTP_WA_CLOUD_TIMEOUT": "4"]) { $1 }).cloud
        #expect(account.phoneNumberID == "106540352242922" && account.accessToken == "EAAJBtoken" && account.template == "otp_code")
        #expect(account.languages == ["en_US", "pt_BR", "fr"] && account.baseURL == "https://graph.test/v27.0" && account.isConfigured)
        #expect(account.timeoutSeconds == 4)
        #expect(try deliverySettings([:]).cloud.baseURL == "https://graph.facebook.com/v27.0")
        #expect(try deliverySettings(["WA_CLOUD_TEMPLATE": "otp"]).cloud.missing
                == ["WA_CLOUD_PHONE_NUMBER_ID", "WA_CLOUD_ACCESS_TOKEN", "WA_CLOUD_TEMPLATE_LANGUAGES"])
    }

    @Test(arguments: [
        ("WA_CLOUD_PHONE_NUMBER_ID", "+15550100"), ("WA_CLOUD_ACCESS_TOKEN", "EAA token"), ("WA_CLOUD_ACCESS_TOKEN", "EAA\r\nX-Evil: 1"),
        ("WA_CLOUD_TEMPLATE", "OTP-Code"), ("WA_CLOUD_TEMPLATE", #"otp","x":"y"#), ("WA_CLOUD_TEMPLATE_LANGUAGES", "en,pt-BR"),
        ("WA_CLOUD_TEMPLATE_LANGUAGES", #"en"}"#), ("OTP_WA_CLOUD_BASE_URL", "http://graph.facebook.com/v27.0"),
        ("WA_CLOUD_ACCESS_TOKEN_FILE", "token.txt"), ("OTP_WA_CLOUD_TIMEOUT", "0"),
    ])
    func badCloudSettingsAreNamed(name: String, value: String) {
        misconfiguration(["WA_CLOUD_PHONE_NUMBER_ID": "106540352242922"].merging([name: value]) { $1 }, naming: name)
    }

    @Test func theTokenAndItsFileAreMutuallyExclusive() throws {
        #expect(try deliverySettings(["WA_CLOUD_ACCESS_TOKEN_FILE": "/etc/otp-cgi/wa.token"]).cloud.accessTokenFile == "/etc/otp-cgi/wa.token")
        #expect(throws: OTPError.misconfigured("WA_CLOUD_ACCESS_TOKEN and WA_CLOUD_ACCESS_TOKEN_FILE are mutually exclusive; set one of them")) {
            try deliverySettings(["WA_CLOUD_ACCESS_TOKEN_FILE": "/etc/t", "WA_CLOUD_ACCESS_TOKEN": "EAA"])
        }
    }

    @Test(arguments: [
        ("pt-BR", "en", "pt_BR"), ("fr-CA", "en", "fr"), ("en-US", "fr", "en_US"), ("en", "fr", "en_US"), ("pt", "en", "pt_BR"),
        ("de", "fr", "fr"), ("de", "en", "en_US"), ("de", "ja", "en_US"),
    ])
    func theTemplatesLanguageFollowsTheLocaleThenTheDefaultThenTheFirstListed(locale: String, defaultLocale: String, language: String) throws {
        let account = try deliverySettings(Self.cloud).cloud
        #expect(account.language(for: tag(locale), defaultLocale: tag(defaultLocale)) == language)
    }

    /// Meta's documented body for an authentication template with a copy-code button: the code twice.
    @Test func theCloudMessageIsTheDocumentedTemplateWithTheCodeInBodyAndButton() {
        #expect(CloudAPISender.body(to: "+14155552671", template: "otp_code", language: "pt_BR", code: "042137")
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"14155552671","type":"template","#
                + #""template":{"name":"otp_code","language":{"code":"pt_BR"},"components":["#
                + #"{"type":"body","parameters":[{"type":"text","text":"042137"}]},"#
                + #"{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"042137"}]}]}}"#)
    }

    func graphError(_ status: Int, _ code: Int) -> ProviderReply {
        ProviderReply(status: status, body: Array(#"{"error":{"message":"(#\#(code)) x","type":"OAuthException","code":\#(code),"#.utf8)
                      + Array(#""error_data":{"messaging_product":"whatsapp","details":"say \"code\": 1"},"fbtrace_id":"A1"}}"#.utf8))
    }

    @Test func cloud131026IsARefusedRecipient() {
        #expect(throws: DeliveryFault(refused: "The phone number cannot receive WhatsApp messages")) {
            try CloudAPISender.check(graphError(400, 131026), language: "en")
        }
    }

    @Test(arguments: [
        (400, 132001, "WhatsApp Cloud API answered HTTP 400, error 132001 (WA_CLOUD_TEMPLATE does not exist in pt_BR or is not approved: "
            + "check WA_CLOUD_TEMPLATE and WA_CLOUD_TEMPLATE_LANGUAGES)"),
        (401, 190, "WhatsApp Cloud API answered HTTP 401, error 190 (the access token is invalid or expired: renew WA_CLOUD_ACCESS_TOKEN or "
            + "WA_CLOUD_ACCESS_TOKEN_FILE, preferably with a system user's token that does not expire)"),
        (400, 131047, "WhatsApp Cloud API answered HTTP 400, error 131047 (outside WhatsApp's 24-hour window: WA_CLOUD_TEMPLATE must be an approved template)"),
        (400, 132000, "WhatsApp Cloud API answered HTTP 400, error 132000 (WA_CLOUD_TEMPLATE does not take the code as its one body parameter "
            + "and its copy-code button's: it must be an authentication template with a copy-code button)"),
        (400, 100, "WhatsApp Cloud API answered HTTP 400, error 100 (check WA_CLOUD_PHONE_NUMBER_ID: it must be a phone number ID registered with the Cloud API)"),
        (500, 131000, "WhatsApp Cloud API answered HTTP 500, error 131000 (Meta is failing; try again later)"),
    ])
    func otherCloudErrorsAreOur500NamingTheSetting(status: Int, code: Int, log: String) {
        #expect(throws: DeliveryFault(log)) { try CloudAPISender.check(graphError(status, code), language: "pt_BR") }
    }

    @Test func aCloudAnswerOfTwoHundredIsSuccess() throws {
        try CloudAPISender.check(ProviderReply(status: 200, body: Array(#"{"messaging_product":"whatsapp","messages":[{"id":"wamid.1"}]}"#.utf8)),
                                 language: "en")
    }
}
