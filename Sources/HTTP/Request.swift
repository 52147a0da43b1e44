// One HTTP request as the service sees it: what every adapter (CGI now, FastCGI later) turns its input into.
import Crypto
import OTP
import System

public struct Request: Sendable {
    public var method: String
    public var contentType: String?
    public var accept: String?
    /// The languages the client reads, best first (RFC 9110 section 12.5.4).
    public var acceptLanguage: String?
    public var body: [UInt8]
    /// The peer's address (REMOTE_ADDR), the `Origin` header and the `X-Forwarded-For` header: the abuse
    /// limits' inputs. Which of the last two to believe is the service's decision, from its settings.
    public var remoteAddress: String?
    public var origin: String?
    public var forwardedFor: String?
    /// The page a browser's form post came from: where an answer page's Back link leads.
    public var referer: String?

    public init(method: String, contentType: String? = nil, accept: String? = nil, acceptLanguage: String? = nil, body: [UInt8] = [],
                remoteAddress: String? = nil, origin: String? = nil, forwardedFor: String? = nil, referer: String? = nil) {
        self.method = method; self.contentType = contentType; self.accept = accept; self.acceptLanguage = acceptLanguage; self.body = body
        self.remoteAddress = remoteAddress; self.origin = origin; self.forwardedFor = forwardedFor; self.referer = referer
    }

    /// Bodies above this are refused with 413: the largest valid one is a few hundred bytes.
    public static let maxBodyBytes = 16 * 1024
    /// A refused body is still read and discarded up to this much, because mod_cgid resets the connection
    /// of a CGI that answers without reading what it was sent (the client then sees no 413 at all).
    public static let maxDiscardBytes = 1024 * 1024
}
