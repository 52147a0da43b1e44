// The approved WhatsApp templates a Twilio send names: WA_TWILIO_CONTENT_SID and one per language the operator has.
import OTP
import Platform

/// WhatsApp delivers a message a business starts only as an approved template; outside the 24-hour window that
/// a user's own message opens, a free-form `Body` fails with Twilio's error 63016, and since 2025-04-01 so does a
/// template's text sent in `Body` (twilio.com/docs/api/errors/63016). For codes the template is a
/// `whatsapp/authentication` content template, approved once per language (twilio.com/docs/content/whatsappauthentication).
public struct TwilioContentSIDs: Sendable, Equatable {
    /// WA_TWILIO_CONTENT_SID: the template for the default locale, and for every locale without one of its own.
    public var fallback: String?
    /// WA_TWILIO_CONTENT_SID_PT_BR, WA_TWILIO_CONTENT_SID_FR ...: the suffix is a language tag in capitals,
    /// `_` for `-`.
    public var byLocale: [LanguageTag: String] = [:]

    public static let settingName = "WA_TWILIO_CONTENT_SID"

    public init(fallback: String? = nil, byLocale: [LanguageTag: String] = [:]) {
        (self.fallback, self.byLocale) = (fallback, byLocale)
    }

    /// Every request reads this, so the names are sifted by their first byte before any is compared whole.
    init(_ reader: SettingsReader) throws(OTPError) {
        for (name, value) in reader.env where name.utf8.first == UInt8(ascii: "W") && name.hasPrefix(Self.settingName) && !value.isEmpty {
            guard Self.isContentSID(value) else {
                throw .misconfigured("\(name) must be a content SID: HX and 32 hexadecimal digits (Console > Messaging > Content Template Builder)")
            }
            if name == Self.settingName {
                fallback = value
                continue
            }
            let suffix = name.dropFirst(Self.settingName.count)
            guard suffix.hasPrefix("_"), let tag = LanguageTag(String(suffix.dropFirst()).replacingEvery("_", with: "-")) else {
                throw .misconfigured("\(name) is not WA_TWILIO_CONTENT_SID followed by a language such as _PT_BR or _FR")
            }
            byLocale[tag] = value
        }
        if fallback == nil && !byLocale.isEmpty {
            throw .misconfigured("WA_TWILIO_CONTENT_SID must be set too: it serves every language without a template of its own")
        }
    }

    public var isEmpty: Bool { fallback == nil }

    /// The Content API's pattern for a content SID: `^HX[0-9a-fA-F]{32}$` (twilio.com/docs/content-api/content-api-resources).
    static func isContentSID(_ text: String) -> Bool {
        text.utf8.count == 34 && text.hasPrefix("HX") && text.utf8.dropFirst(2).allSatisfy { ASCII.hexValue($0) != nil }
    }

    /// The message text's rules: the locale and its truncations, then the default locale's, then
    /// WA_TWILIO_CONTENT_SID. Returns the SID and the setting that names it, for the log.
    public func sid(for locale: LanguageTag, defaultLocale: LanguageTag) -> (sid: String, setting: String)? {
        guard let fallback else { return nil }
        for start in [locale, defaultLocale] {
            if let tag = start.firstTruncation(where: { byLocale[$0] != nil }) {
                return (byLocale[tag]!, Self.settingName + "_" + tag.description.uppercased().replacingEvery("-", with: "_"))
            }
        }
        return (fallback, Self.settingName)
    }
}
