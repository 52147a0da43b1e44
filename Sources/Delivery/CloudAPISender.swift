// WhatsApp through Meta's Cloud API, directly: an approved authentication template, over curl.
import OTP
import Platform

/// The Graph API's `POST /<PHONE_NUMBER_ID>/messages` with `type: template`, as Meta documents sending an
/// authentication template with a one-time password button
/// (developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates/auth-otp-template-messages):
/// the code is the body's one parameter and the copy-code button's (a `url` button at index "0").
struct CloudAPISender: Sender {
    let name = "cloud"
    let account: CloudAccount
    let delivery: DeliverySettings

    /// Nil unless every setting of the account is there.
    init?(_ delivery: DeliverySettings) {
        guard delivery.cloud.isConfigured else { return nil }
        (account, self.delivery) = (delivery.cloud, delivery)
    }

    /// The token travels as a header in curl's config on fd 3, never in argv.
    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let token = try account.token()
        let language = account.language(for: message.locale ?? delivery.messages.defaultLocale, defaultLocale: delivery.messages.defaultLocale)!
        let options: [(String, String?)] = [
            ("url", "\(account.baseURL)/\(account.phoneNumberID!)/messages"), ("proto", "=https"),
            ("header", "Authorization: Bearer \(token)"), ("header", "Content-Type: application/json"),
            ("data-binary", "@-"),
        ]
        let body = Self.body(to: message.recipient.value, template: account.template!, language: language, code: message.code)
        let (status, reply) = try Curl(delivery, timeoutSeconds: account.timeoutSeconds)
            .request(options, input: Array(body.utf8), provider: "WhatsApp Cloud API")
        try Self.check(ProviderReply(status: status, body: reply), language: language)
    }

    /// Every value is one the settings or the identifier already hold to a plain alphabet (digits; the template's
    /// lowercase, digits and `_`; a language's letters and `_`), so none needs a JSON escape. The number goes as
    /// digits, as in Meta's sample ("12015553931").
    static func body(to recipient: String, template: String, language: String, code: String) -> String {
        let to = recipient.hasPrefix("+") ? String(recipient.dropFirst()) : recipient
        let parameter = #"[{"type":"text","text":"\#(code)"}]"#
        return #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"\#(to)","type":"template","#
            + #""template":{"name":"\#(template)","language":{"code":"\#(language)"},"components":["#
            + #"{"type":"body","parameters":\#(parameter)},"#
            + #"{"type":"button","sub_type":"url","index":"0","parameters":\#(parameter)}]}}"#
    }

    /// 2xx is success. The Graph API's codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
    /// decide: one that means the number has no WhatsApp is the asker's to fix, a 400; every other is ours, a 500
    /// whose log line names the code and the setting to fix, never the token.
    static func check(_ reply: ProviderReply, language: String?) throws(DeliveryFault) {
        guard !reply.isSuccess else { return }
        let code = reply.errorCode
        // 131026 "Message Undeliverable": not a WhatsApp number, terms not accepted, or a client too old.
        if code == 131026 { throw DeliveryFault(refused: "The phone number cannot receive WhatsApp messages") }
        let hint = switch code ?? -1 {
        case 0, 190: " (the access token is invalid or expired: renew WA_CLOUD_ACCESS_TOKEN or WA_CLOUD_ACCESS_TOKEN_FILE, "
            + "preferably with a system user's token that does not expire)"
        case 3, 10, 200...299: " (the access token lacks the whatsapp_business_messaging permission: check WA_CLOUD_ACCESS_TOKEN)"
        case 100, 133010: " (check WA_CLOUD_PHONE_NUMBER_ID: it must be a phone number ID registered with the Cloud API)"
        case 132001: " (WA_CLOUD_TEMPLATE does not exist in \(language ?? "this language") or is not approved: check WA_CLOUD_TEMPLATE and WA_CLOUD_TEMPLATE_LANGUAGES)"
        case 132000, 132012: " (WA_CLOUD_TEMPLATE does not take the code as its one body parameter and its copy-code button's: "
            + "it must be an authentication template with a copy-code button)"
        case 132015, 132016: " (WA_CLOUD_TEMPLATE is paused or disabled: see WhatsApp Manager)"
        case 131047: " (outside WhatsApp's 24-hour window: WA_CLOUD_TEMPLATE must be an approved template)"
        case 131030: " (the recipient is not among the test number's allowed recipients: add it in API Setup, or use a production number)"
        case 4, 80007, 130429, 131048, 131056: " (too many messages: try again later)"
        default: reply.status >= 500 ? " (Meta is failing; try again later)" : ""
        }
        throw DeliveryFault("WhatsApp Cloud API answered HTTP \(reply.status)\(code.map { ", error \($0)" } ?? "")\(hint)")
    }
}
