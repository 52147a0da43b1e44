// The settings that bound abuse in the service: send and failure windows, the per-client limit, SMS prefixes.
import Platform

/// Safe defaults, each limit off at 0, so that a site is protected without configuring anything. Each limit is an
/// exact sliding window (`EventLog`), whose record holds one time per counted event: hence at most 10,000.
public struct AbuseSettings: Sendable {
    public var maxSendsPerWindow = 5
    public var sendWindowSeconds = 3600
    public var maxFailedVerifiesPerWindow = 20
    public var ipMaxSendsPerWindow = 30
    /// Failed verifies (wrong codes and unknown identifiers alike) from one client per window: without it one
    /// address could spread guesses over every identifier it made a code for.
    public var ipMaxFailedVerifiesPerWindow = 100
    /// Empty: every E.164 number. Otherwise SMS and WhatsApp go only to numbers starting with one of these.
    public var smsAllowedPrefixes: [String] = []

    public static let maxLimit = 10_000

    public init() {}

    public init(_ reader: SettingsReader) throws(OTPError) {
        let limits = 0...Self.maxLimit
        maxSendsPerWindow = try reader.integer("OTP_MAX_SENDS_PER_WINDOW", default: maxSendsPerWindow, in: limits)
        sendWindowSeconds = try reader.integer("OTP_SEND_WINDOW_SECONDS", default: sendWindowSeconds, in: 0...31_536_000)
        maxFailedVerifiesPerWindow = try reader.integer("OTP_MAX_FAILED_VERIFIES_PER_WINDOW", default: maxFailedVerifiesPerWindow, in: limits)
        ipMaxSendsPerWindow = try reader.integer("OTP_IP_MAX_SENDS_PER_WINDOW", default: ipMaxSendsPerWindow, in: limits)
        ipMaxFailedVerifiesPerWindow = try reader.integer("OTP_IP_MAX_FAILED_VERIFIES_PER_WINDOW", default: ipMaxFailedVerifiesPerWindow,
                                                          in: limits)
        smsAllowedPrefixes = try reader.list("OTP_SMS_ALLOWED_PREFIXES") { (item: String) throws(OTPError) -> String in
            guard item.hasPrefix("+"), (2...16).contains(item.utf8.count), ASCII.isNumber(item.utf8.dropFirst()) else {
                throw .misconfigured("OTP_SMS_ALLOWED_PREFIXES must list prefixes such as +1,+44, separated by commas")
            }
            return item
        }
    }

    /// Whether a number may get SMS or WhatsApp, to stop SMS pumping to premium ranges.
    public func allowsPhone(_ e164: String) -> Bool {
        smsAllowedPrefixes.isEmpty || smsAllowedPrefixes.contains { e164.hasPrefix($0) }
    }
}
