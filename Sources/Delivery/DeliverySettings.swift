// The settings of delivery: which email backend, and those of the real ones (SMTP, sendmail, the phone providers).
import OTP
import Platform

/// Django's names and defaults for email where Django has them; a value that ends up in a curl URL or
/// config is checked here, so a bad one is a clear misconfiguration rather than a strange curl error.
public struct DeliverySettings: Sendable {
    public var requireProviderConfig = false
    public var defaultFromEmail: String?
    public var emailBackend = EmailBackend.smtp
    public var emailFilePath: String?
    public var sms = TwilioAccount()
    public var whatsapp = TwilioAccount()
    public var whatsappContent = TwilioContentSIDs()
    public var cloud = CloudAccount()
    public var emailHost = "localhost"
    public var emailPort = 25
    public var emailUser: String?
    public var emailPassword: String?
    public var emailSecurity = EmailSecurity.none
    /// Django waits forever by default; a CGI cannot, as Apache gives up on it after its `Timeout`.
    public var emailTimeoutSeconds = 10
    public var sendmailPath = "/usr/sbin/sendmail"
    public var curlPath = "/usr/bin/curl"
    public var caBundle: String?
    public var twilioBaseURL = "https://api.twilio.com"
    public var twilioTimeoutSeconds = 10
    public var webOTPDomain: String?
    public var messages = MessageSettings()
    /// SMS_PROVIDERS and WA_PROVIDERS: the order to try the channel's providers in; empty for the one configured.
    public var smsProviders: [String] = []
    public var whatsappProviders: [String] = []
    /// How long a provider that failed is tried only after the others.
    public var providerPauseSeconds = 60
    /// SMS_HTTP_* and every preset's SMS_<PRESET>_*, configured or not.
    public var gateways: [GatewayEntry] = []
    /// SMS_COMMAND: a program given the number as its argument and the text on stdin.
    public var smsCommand: String?
    public var smsCommandTimeoutSeconds = 30
    public var webhook: WebhookSettings?
    /// The webhook's settings still unset when some are set.
    public var webhookMissing: [String] = []

    public enum EmailSecurity: Sendable { case none, startTLS, implicitTLS }

    public enum EmailBackend: String, Sendable {
        case smtp, sendmail, filebased, console
    }

    public init() {}

    public init(_ reader: SettingsReader) throws(OTPError) {
        messages = try MessageSettings(reader)
        requireProviderConfig = try reader.boolean("OTP_REQUIRE_PROVIDER_CONFIG", default: false)
        defaultFromEmail = try reader.headerText("DEFAULT_FROM_EMAIL")
        emailBackend = try Self.emailBackend(reader)
        emailFilePath = reader.string("EMAIL_FILE_PATH")
        sms = try TwilioAccount(reader, prefix: "SMS_TWILIO_")
        whatsapp = try TwilioAccount(reader, prefix: "WA_TWILIO_")
        whatsappContent = try TwilioContentSIDs(reader)
        if let host = reader.string("EMAIL_HOST") {
            guard HostPort.isHostName(host) || IPAddress(host) != nil else {
                throw .misconfigured("EMAIL_HOST must be a host name or an IP address")
            }
            emailHost = host
        }
        emailPort = try reader.integer("EMAIL_PORT", default: emailPort, in: 1...65_535)
        emailUser = reader.string("EMAIL_HOST_USER")
        if emailUser?.utf8.contains(UInt8(ascii: ":")) == true {
            throw .misconfigured("EMAIL_HOST_USER must not contain a colon (curl would take the rest for the password)")
        }
        emailPassword = reader.string("EMAIL_HOST_PASSWORD")
        switch (try reader.boolean("EMAIL_USE_TLS", default: false), try reader.boolean("EMAIL_USE_SSL", default: false)) {
        case (true, true): throw .misconfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive; set one of them")
        case (true, false): emailSecurity = .startTLS
        case (false, true): emailSecurity = .implicitTLS
        case (false, false): emailSecurity = .none
        }
        emailTimeoutSeconds = try reader.integer("EMAIL_TIMEOUT", default: emailTimeoutSeconds, in: 1...120)
        sendmailPath = try reader.absolutePath("EMAIL_SENDMAIL_PATH") ?? sendmailPath
        curlPath = try reader.absolutePath("OTP_CURL_PATH") ?? curlPath
        caBundle = try reader.absolutePath("OTP_CA_BUNDLE")
        if let url = reader.string("OTP_TWILIO_BASE_URL") { twilioBaseURL = try Self.httpsURL(url, setting: "OTP_TWILIO_BASE_URL") }
        twilioTimeoutSeconds = try reader.integer("OTP_TWILIO_TIMEOUT", default: twilioTimeoutSeconds, in: 1...120)
        if let domain = reader.string("OTP_WEBOTP_DOMAIN") {
            guard HostPort.isHostName(domain) else {
                throw .misconfigured("OTP_WEBOTP_DOMAIN must be a bare host name such as example.com (no scheme, port or path)")
            }
            webOTPDomain = domain.lowercased()
        }
        if emailBackend == .filebased && emailFilePath == nil {
            throw .misconfigured("EMAIL_FILE_PATH is required with the filebased email backend")
        }
        try readProviders(reader)
    }

    /// A provider's base URL: https only, as it carries a secret; without its final `/`, as paths are appended.
    static func httpsURL(_ text: String, setting: String) throws(OTPError) -> String {
        guard let url = HTTPURL(text), url.scheme == "https", url.rest.isEmpty else {
            throw .misconfigured("\(setting) must be an https:// URL")
        }
        return url.origin + (url.path.hasSuffix("/") ? url.path.dropLast() : Substring(url.path))
    }

    /// Django's dotted names are accepted too, so a settings file can be copied over unchanged.
    static func emailBackend(_ reader: SettingsReader) throws(OTPError) -> EmailBackend {
        guard var text = reader.string("EMAIL_BACKEND") else { return .smtp }
        let prefix = "django.core.mail.backends.", suffix = ".EmailBackend"
        if text.hasPrefix(prefix) && text.hasSuffix(suffix) {
            text = String(text.dropFirst(prefix.count).dropLast(suffix.count))
        }
        guard let backend = EmailBackend(rawValue: text) else {
            throw .misconfigured("EMAIL_BACKEND must be smtp, sendmail, filebased or console")
        }
        return backend
    }

    /// Django's default for DEFAULT_FROM_EMAIL.
    public var fromAddress: String { defaultFromEmail ?? "webmaster@localhost" }
}

/// One Twilio account per channel, so SMS and WhatsApp may bill to different accounts.
public struct TwilioAccount: Sendable {
    public var accountSID: String?
    public var authToken: String?
    public var sender: String?
    /// "SMS_TWILIO_" or "WA_TWILIO_", for naming what is missing.
    public var settingPrefix = ""

    /// The names of the settings still unset, for the warning about a half-configured account.
    public var missing: [String] {
        [("ACCOUNT_SID", accountSID), ("AUTH_TOKEN", authToken), ("SENDER", sender)].filter { $0.1 == nil }.map { settingPrefix + $0.0 }
    }

    public init(accountSID: String? = nil, authToken: String? = nil, sender: String? = nil) {
        (self.accountSID, self.authToken, self.sender) = (accountSID, authToken, sender)
    }

    /// The SID goes into the URL's path and before the colon of curl's `user`, so it must be plain
    /// letters and digits, as every Twilio SID is.
    init(_ reader: SettingsReader, prefix: String) throws(OTPError) {
        self.init(accountSID: reader.string(prefix + "ACCOUNT_SID"), authToken: reader.string(prefix + "AUTH_TOKEN"),
                  sender: reader.string(prefix + "SENDER"))
        settingPrefix = prefix
        if let sid = accountSID, !sid.utf8.allSatisfy(ASCII.isAlphanumeric) {
            throw .misconfigured("\(prefix)ACCOUNT_SID must be letters and digits only")
        }
    }
}
