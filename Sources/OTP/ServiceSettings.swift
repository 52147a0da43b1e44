// The settings of the service's own rules: codes, their lifetime, attempts, the cooldown.

/// Every setting has the seed's name and default.
public struct ServiceSettings: Sendable {
    public var codeLength = 6
    public var ttlSeconds = 300
    public var maxAttempts = 5
    public var resendCooldownSeconds = 30
    public var secretKey: [UInt8]?
    public var abuse = AbuseSettings()

    public init() {}

    public init(_ reader: SettingsReader) throws(OTPError) {
        codeLength = try reader.integer("OTP_CODE_LENGTH", default: codeLength, in: 4...10)
        ttlSeconds = try reader.integer("OTP_TTL_SECONDS", default: ttlSeconds, in: 1...86_400)
        maxAttempts = try reader.integer("OTP_MAX_ATTEMPTS", default: maxAttempts, in: 1...1_000_000)
        resendCooldownSeconds = try reader.integer("OTP_RESEND_COOLDOWN_SECONDS", default: resendCooldownSeconds, in: 0...86_400)
        if let key = reader.string("OTP_SECRET_KEY") {
            guard key.utf8.count >= 16 else { throw .misconfigured("OTP_SECRET_KEY must be at least 16 characters") }
            secretKey = Array(key.utf8)
        }
        abuse = try AbuseSettings(reader)
    }
}
