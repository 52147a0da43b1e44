// The settings of the service's own rules: codes, their lifetime, attempts, the cooldown.
import Digests

/// Every setting has the seed's name and default.
public struct ServiceSettings: Sendable {
    public var codeLength = 6
    public var ttlSeconds = 300
    public var maxAttempts = 5
    public var resendCooldownSeconds = 30
    /// From OTP_SECRET_KEY, or the file OTP_SECRET_KEY_FILE names; nil when neither is set (every request then
    /// answers 500 naming them: the key is never made in, or read from, the store).
    public var secretKey: [UInt8]? { didSet { secret = secretKey.map(HMACKey.init) } }
    /// The key with its padded blocks hashed, made once with the settings: a FastCGI process keeps them between
    /// requests.
    public private(set) var secret: HMACKey?
    public var secretKeyFile: String?
    public var abuse = AbuseSettings()

    public init() {}

    public init(_ reader: SettingsReader) throws(OTPError) {
        codeLength = try reader.integer("OTP_CODE_LENGTH", default: codeLength, in: 4...10)
        ttlSeconds = try reader.integer("OTP_TTL_SECONDS", default: ttlSeconds, in: 1...86_400)
        maxAttempts = try reader.integer("OTP_MAX_ATTEMPTS", default: maxAttempts, in: 1...1_000_000)
        resendCooldownSeconds = try reader.integer("OTP_RESEND_COOLDOWN_SECONDS", default: resendCooldownSeconds, in: 0...86_400)
        if let key = reader.string("OTP_SECRET_KEY") {
            guard key.utf8.count >= SecretKeyFile.minimumBytes else { throw .misconfigured("OTP_SECRET_KEY must be at least 16 characters") }
            try SecretKeyFile.refusePlaceholder(Array(key.utf8), from: "OTP_SECRET_KEY")
            secretKey = Array(key.utf8)
        } else if let path = try reader.absolutePath("OTP_SECRET_KEY_FILE") {
            secretKeyFile = path
            secretKey = try SecretKeyFile.read(path)
        }
        abuse = try AbuseSettings(reader)
        secret = secretKey.map(HMACKey.init)
    }
}
