// How long a FastCGI responder lives, read from the environment it was started with (a process's, not a request's).
import OTP

public struct FastCGISettings: Sendable {
    /// 0: no limit.
    public var maxRequests = 0

    public init(_ reader: SettingsReader) throws(OTPError) {
        maxRequests = try reader.integer("OTP_FCGI_MAX_REQUESTS", default: 0, in: 0...Int.max)
    }
}
