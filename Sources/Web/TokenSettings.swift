// The settings of the signed token a successful verify hands out, and of the `next` step an HTML form may ask for.
import OTP
import OTP
import Platform

/// Its key is not `OTP_SECRET_KEY` on purpose: the site that checks tokens holds this one, never the store's.
public struct TokenSettings: Sendable {
    /// Unset: no token, and verify answers exactly the contract's `{"detail": "Verified"}`.
    public var secret: [UInt8]?
    public var issuer = "otp-cgi"
    public var audience: String?
    public var ttlSeconds = 300
    /// Where a form's `next` may lead; empty, no `next` is followed.
    public var nextAllowed: [HTTPURL] = []

    /// RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output.
    public static let minimumSecretBytes = 32

    public init() {}

    public init(_ reader: SettingsReader) throws(OTPError) {
        if let secret = reader.string("OTP_TOKEN_SECRET") {
            guard secret.utf8.count >= Self.minimumSecretBytes else {
                throw .misconfigured("OTP_TOKEN_SECRET must be at least \(Self.minimumSecretBytes) bytes")
            }
            self.secret = Array(secret.utf8)
        }
        issuer = try reader.headerText("OTP_TOKEN_ISSUER") ?? issuer
        audience = try reader.headerText("OTP_TOKEN_AUDIENCE")
        ttlSeconds = try reader.integer("OTP_TOKEN_TTL_SECONDS", default: ttlSeconds, in: 1...86_400)
        if let list = reader.string("OTP_NEXT_ALLOWED") {
            nextAllowed = try list.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { item throws(OTPError) in
                guard let url = HTTPURL(String(item)) else {
                    throw .misconfigured("OTP_NEXT_ALLOWED must list absolute http:// or https:// URLs, separated by spaces")
                }
                return url
            }
        }
    }

    /// The `next` a form sent, when it starts with an allowed prefix and a token goes with it; anything else
    /// is dropped without a word, so the service is no open redirect.
    public func allowedNext(_ text: String?) -> HTTPURL? {
        guard secret != nil, let text, let next = HTTPURL(text) else { return nil }
        return nextAllowed.contains { next.isUnder($0) } ? next : nil
    }
}
