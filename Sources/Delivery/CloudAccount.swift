// The settings of Meta's WhatsApp Cloud API: the business phone number, its token, the authentication template.
import OTP
import Platform

/// Each value is checked here because it ends up in a URL, a header or a JSON body, so a bad one is a clear
/// misconfiguration rather than a strange answer from Meta.
public struct CloudAccount: Sendable, Equatable {
    /// WA_CLOUD_PHONE_NUMBER_ID: the business phone number's ID (the app's WhatsApp > API Setup), not the number.
    public var phoneNumberID: String?
    public var accessToken: String?
    /// WA_CLOUD_ACCESS_TOKEN_FILE, from the process's own environment only, read at each send.
    public var accessTokenFile: String?
    /// WA_CLOUD_TEMPLATE: the approved authentication template's name.
    public var template: String?
    /// WA_CLOUD_TEMPLATE_LANGUAGES: the languages the template is approved in, as WhatsApp spells them (`en`,
    /// `pt_BR`); the first is the default.
    public var languages: [String] = []
    /// The Graph API's newest version, v27.0, introduced on 2026-11-04
    /// (developers.facebook.com/blog/post/2026/11/04/introducing-graph-api-v27-and-marketing-api-v27).
    public var baseURL = "https://graph.facebook.com/v27.0"
    /// OTP_WA_CLOUD_TIMEOUT: seconds per request.
    public var timeoutSeconds = 10

    public init() {}

    init(_ reader: SettingsReader) throws(OTPError) {
        phoneNumberID = reader.string("WA_CLOUD_PHONE_NUMBER_ID")
        if let id = phoneNumberID, !ASCII.isNumber(id.utf8) {
            throw .misconfigured("WA_CLOUD_PHONE_NUMBER_ID must be the phone number's ID, digits only (the app's WhatsApp > API Setup)")
        }
        accessToken = reader.string("WA_CLOUD_ACCESS_TOKEN")
        if let token = accessToken, !Self.isToken(token) {
            throw .misconfigured("WA_CLOUD_ACCESS_TOKEN must be the token alone: printable characters without spaces")
        }
        accessTokenFile = try reader.absolutePath("WA_CLOUD_ACCESS_TOKEN_FILE")
        if accessToken != nil && accessTokenFile != nil {
            throw .misconfigured("WA_CLOUD_ACCESS_TOKEN and WA_CLOUD_ACCESS_TOKEN_FILE are mutually exclusive; set one of them")
        }
        template = reader.string("WA_CLOUD_TEMPLATE")
        // Meta's rule for template names: lowercase letters, digits and underscores, 512 characters at most
        // (developers.facebook.com/docs/whatsapp/business-management-api/authentication-templates/copy-code-button-authentication-templates).
        if let name = template, name.utf8.count > 512 || !name.utf8.allSatisfy({ ASCII.isDigit($0) || (0x61...0x7a).contains($0) || $0 == 0x5f }) {
            throw .misconfigured("WA_CLOUD_TEMPLATE must be the template's name: lowercase letters, digits and underscores")
        }
        languages = try reader.list("WA_CLOUD_TEMPLATE_LANGUAGES") { (code: String) throws(OTPError) -> String in
            guard Self.tag(code) != nil else {
                throw .misconfigured("WA_CLOUD_TEMPLATE_LANGUAGES must list languages as WhatsApp spells them, such as en, en_US, pt_BR")
            }
            return code
        }
        if let url = reader.string("OTP_WA_CLOUD_BASE_URL") { baseURL = try DeliverySettings.httpsURL(url, setting: "OTP_WA_CLOUD_BASE_URL") }
        timeoutSeconds = try reader.integer("OTP_WA_CLOUD_TIMEOUT", default: timeoutSeconds, in: 1...120)
    }

    /// The settings still unset, for the warning about a half-configured account.
    public var missing: [String] {
        [("WA_CLOUD_PHONE_NUMBER_ID", phoneNumberID != nil), ("WA_CLOUD_ACCESS_TOKEN", accessToken != nil || accessTokenFile != nil),
         ("WA_CLOUD_TEMPLATE", template != nil), ("WA_CLOUD_TEMPLATE_LANGUAGES", !languages.isEmpty)].filter { !$0.1 }.map(\.0)
    }

    public var isConfigured: Bool { missing.isEmpty }
    public var isUnset: Bool { missing.count == 4 }

    /// A WhatsApp language code as a language tag: `pt_BR` is `pt-BR`.
    static func tag(_ code: String) -> LanguageTag? {
        code.utf8.allSatisfy({ ASCII.isLetter($0) || $0 == 0x5f }) ? LanguageTag(code.replacingEvery("_", with: "-")) : nil
    }

    /// The message text's rules: the locale and its truncations, else the first listed of the same language
    /// (`en_US` for `en`, as WhatsApp has no plain `en` in some languages); then the same for the default locale;
    /// then the first listed.
    public func language(for locale: LanguageTag, defaultLocale: LanguageTag) -> String? {
        let tags = languages.map(Self.tag)
        for start in [locale, defaultLocale] {
            if let found = start.firstTruncation(where: { tags.contains($0) }), let index = tags.firstIndex(of: found) {
                return languages[index]
            }
            if let index = tags.firstIndex(where: { $0?.language == start.language }) { return languages[index] }
        }
        return languages.first
    }

    /// The token, from the setting or read now from its file, so a renewed token is used without a restart.
    func token() throws(DeliveryFault) -> String {
        if let accessToken { return accessToken }
        guard let path = accessTokenFile else { throw DeliveryFault("WhatsApp Cloud API: no WA_CLOUD_ACCESS_TOKEN") }
        let token = try SecretFile.text(path, setting: "WA_CLOUD_ACCESS_TOKEN_FILE")
        guard Self.isToken(token) else {
            throw DeliveryFault("WA_CLOUD_ACCESS_TOKEN_FILE must hold the token alone: printable characters without spaces")
        }
        return token
    }

    /// It goes into an Authorization header: nothing that could end the header or start another.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x21...0x7e).contains($0) }
    }
}
