// How long a FastCGI responder lives, read from the environment it was started with (a process's, not a request's).
import OTP
import Platform

public struct FastCGISettings: Sendable {
    /// 0: no limit.
    public let maxRequests: Int
    /// The peers a TCP listener answers (libfcgi's `FCGI_WEB_SERVER_ADDRS`, commas or spaces between addresses or
    /// CIDRs): by default the loopback addresses, never the whole network.
    public let webServerAddresses: [AddressRange]

    public init(_ reader: SettingsReader) throws(OTPError) {
        maxRequests = try reader.integer("OTP_FCGI_MAX_REQUESTS", default: 0, in: 0...Int.max)
        guard reader.string("FCGI_WEB_SERVER_ADDRS") != nil else {
            webServerAddresses = [AddressRange("127.0.0.0/8")!, AddressRange("::1")!]
            return
        }
        webServerAddresses = try reader.list("FCGI_WEB_SERVER_ADDRS") { (item: String) throws(OTPError) -> AddressRange in
            guard let range = AddressRange(item) else {
                throw .misconfigured("FCGI_WEB_SERVER_ADDRS must list the web server's IP addresses or CIDRs, separated by commas")
            }
            return range
        }
    }
}
