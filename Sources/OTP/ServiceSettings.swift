// The service's configuration, read once per request from an injected environment (SetEnv in production).
#if canImport(Glibc)
import Glibc
#endif

/// Every setting has the seed's name and default. Reading is strict: a malformed value is an error
/// naming the setting, never a silent fallback to the default.
public struct Settings: Sendable {
    public var codeLength = 6
    public var ttlSeconds = 300
    public var maxAttempts = 5
    public var resendCooldownSeconds = 30
    public var emailSubject = "Your verification code"
    public var emailTemplate = "Your OTP code is: {code}"
    public var smsTemplate = "Your OTP code is: {code}"
    public var requireProviderConfig = false
    public var defaultFromEmail: String?
    public var emailBackend = EmailBackend.smtp
    public var emailFilePath: String?
    public var storeDirectory: String
    public var secretKey: [UInt8]?
    public var lockTimeoutMilliseconds = 2000
    public var sms = TwilioAccount()
    public var whatsapp = TwilioAccount()
    public var delivery = Delivery()
    public var abuse = Abuse()
    public var store = Store()
    public var token = Token()

    public enum EmailBackend: String, Sendable {
        case smtp, sendmail, filebased, console
    }

    /// Outside any document root and writable by the web server's user out of the box; the store checks
    /// that it owns the directory and that nobody else can read it.
    public static var defaultStoreDirectory: String { "/var/tmp/otp-cgi-\(geteuid())" }

    /// The names `HTTP_*` variables never feed: request headers arrive under that prefix.
    public init(environment env: [String: String]) throws(OTPError) {
        let reader = Reader(env: env)
        codeLength = try reader.integer("OTP_CODE_LENGTH", default: codeLength, in: 4...10)
        ttlSeconds = try reader.integer("OTP_TTL_SECONDS", default: ttlSeconds, in: 1...86_400)
        maxAttempts = try reader.integer("OTP_MAX_ATTEMPTS", default: maxAttempts, in: 1...1_000_000)
        resendCooldownSeconds = try reader.integer("OTP_RESEND_COOLDOWN_SECONDS", default: resendCooldownSeconds, in: 0...86_400)
        emailSubject = try reader.headerText("OTP_EMAIL_SUBJECT") ?? emailSubject
        emailTemplate = try reader.template("OTP_EMAIL_TEMPLATE") ?? emailTemplate
        smsTemplate = try reader.template("OTP_SMS_TEMPLATE") ?? smsTemplate
        requireProviderConfig = try reader.boolean("OTP_REQUIRE_PROVIDER_CONFIG", default: false)
        defaultFromEmail = try reader.headerText("DEFAULT_FROM_EMAIL")
        emailBackend = try reader.emailBackend()
        emailFilePath = reader.string("EMAIL_FILE_PATH")
        storeDirectory = try reader.absolutePath("OTP_STORE_DIR") ?? Self.defaultStoreDirectory
        if let key = reader.string("OTP_SECRET_KEY") {
            guard key.utf8.count >= 16 else { throw .misconfigured("OTP_SECRET_KEY must be at least 16 characters") }
            secretKey = Array(key.utf8)
        }
        lockTimeoutMilliseconds = try reader.integer("OTP_LOCK_TIMEOUT_MS", default: lockTimeoutMilliseconds, in: 10...30_000)
        sms = try TwilioAccount(reader, prefix: "SMS_TWILIO_")
        whatsapp = try TwilioAccount(reader, prefix: "WA_TWILIO_")
        delivery = try Delivery(reader)
        abuse = try Abuse(reader)
        store = try Store(reader)
        token = try Token(reader)
        if emailBackend == .filebased && emailFilePath == nil {
            throw .misconfigured("EMAIL_FILE_PATH is required with the filebased email backend")
        }
    }

    struct Reader {
        let env: [String: String]

        /// An empty value counts as unset, as `SetEnv NAME ""` is how Apache users blank a setting.
        func string(_ name: String) -> String? {
            guard let value = env[name], !value.isEmpty else { return nil }
            return value
        }

        func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(OTPError) -> Int {
            guard let text = string(name) else { return value }
            guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let parsed = Int(text),
                  range.contains(parsed) else {
                throw .misconfigured("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return parsed
        }

        func boolean(_ name: String, default value: Bool) throws(OTPError) -> Bool {
            guard let text = string(name) else { return value }
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw .misconfigured("\(name) must be true or false")
            }
        }

        /// Text that ends up in a mail header may not carry a line break (header injection).
        func headerText(_ name: String) throws(OTPError) -> String? {
            guard let text = string(name) else { return nil }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                throw .misconfigured("\(name) must not contain control characters")
            }
            return text
        }

        func template(_ name: String) throws(OTPError) -> String? {
            guard let text = string(name) else { return nil }
            guard text.contains("{code}") else { throw .misconfigured("\(name) must contain {code}") }
            return text
        }

        /// Django's dotted names are accepted too, so a settings file can be copied over unchanged.
        func emailBackend() throws(OTPError) -> EmailBackend {
            guard var text = string("EMAIL_BACKEND") else { return .smtp }
            let prefix = "django.core.mail.backends.", suffix = ".EmailBackend"
            if text.hasPrefix(prefix) && text.hasSuffix(suffix) {
                text = String(text.dropFirst(prefix.count).dropLast(suffix.count))
            }
            guard let backend = EmailBackend(rawValue: text) else {
                throw .misconfigured("EMAIL_BACKEND must be smtp, sendmail, filebased or console")
            }
            return backend
        }
    }
}
