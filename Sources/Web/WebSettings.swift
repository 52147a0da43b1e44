// The settings the web layer reads: who may call from a browser, which proxies to believe, the token and `next`.
import OTP
import OTP
import Platform

public struct WebSettings: Sendable {
    /// The proxies whose `X-Forwarded-For` is believed; anyone else could write any address there.
    public var trustedProxies: [AddressRange] = []
    /// Empty: no Origin check and no CORS headers.
    public var allowedOrigins: [String] = []
    public var token = TokenSettings()

    public init() {}

    public init(_ reader: SettingsReader) throws(OTPError) {
        trustedProxies = try reader.list("OTP_TRUSTED_PROXIES") { (item: String) throws(OTPError) -> AddressRange in
            guard let range = AddressRange(item) else {
                throw .misconfigured("OTP_TRUSTED_PROXIES must list IP addresses or CIDRs such as 10.0.0.0/8, separated by commas")
            }
            return range
        }
        // An origin is a URL with nothing after its host and port, as a browser's Origin header sends it.
        allowedOrigins = try reader.list("OTP_ALLOWED_ORIGINS") { (item: String) throws(OTPError) -> String in
            guard let url = HTTPURL(item), url.path == "/", url.rest.isEmpty, !item.hasSuffix("/") else {
                throw .misconfigured("OTP_ALLOWED_ORIGINS must list origins such as https://www.example.com, separated by commas")
            }
            return url.origin
        }
        token = try TokenSettings(reader)
    }
}

