// One HTTP request as a gateway hands it to its handler: the meta-variables, what they say, and the body.

/// What a handler answers with: the bytes of a CGI response (RFC 3875 section 6), which the CGI gateway writes to
/// stdout and the FastCGI one sends as the request's STDOUT. `log` is the request's error log: stderr under CGI,
/// the request's STDERR stream under FastCGI. The shape of Go's `net/http/cgi`, which takes an `http.Handler`.
public typealias Handler = (_ request: Request, _ log: @escaping (String) -> Void) -> [UInt8]

public struct Request: Sendable {
    /// The meta-variables (RFC 3875 section 4.1, or a FastCGI request's PARAMS). Under CGI the handler reads its
    /// settings from them too, never from the `HTTP_*` ones, which are the client's headers; a FastCGI responder
    /// sets the settings apart (`prefixedVariables`).
    public var environment: [String: String]
    /// A FastCGI request's variables kept by prefix (the settings), as name-value pairs in the order they came
    /// (`FastCGIPairs.environment`): two requests with the same bytes carry the same such variables. Nil where
    /// they are not apart (a CGI process, which serves one request).
    public var prefixedVariables: [UInt8]?

    /// The variables the settings are read from: `prefixedVariables` as strings where a responder set them apart,
    /// else `environment`.
    public var settingVariables: [String: String] {
        guard let prefixedVariables else { return environment }
        var none: [UInt8] = []
        return FastCGIPairs.environment(prefixedVariables, keeping: nil, prefixed: &none) ?? [:]
    }

    /// One setting's value, from wherever the settings lie, without making strings of the others.
    public func setting(_ name: String) -> String? {
        prefixedVariables.map { FastCGIPairs.value(of: name, in: $0) } ?? environment[name]
    }
    public var method: String
    public var contentType: String?
    public var accept: String?
    /// The languages the client reads, best first (RFC 9110 section 12.5.4).
    public var acceptLanguage: String?
    /// Read through CONTENT_LENGTH; empty when `bodyFault` says why it could not be.
    public var body: [UInt8]
    public var bodyFault: BodyFault?
    /// The peer's address (REMOTE_ADDR), the `Origin` header and the `X-Forwarded-For` header: the abuse
    /// limits' inputs. Which of the last two to believe is the handler's decision, from its settings.
    public var remoteAddress: String?
    public var origin: String?
    public var forwardedFor: String?
    /// The page a browser's form post came from: where an answer page's Back link leads.
    public var referer: String?

    public init(method: String, contentType: String? = nil, accept: String? = nil, acceptLanguage: String? = nil, body: [UInt8] = [],
                remoteAddress: String? = nil, origin: String? = nil, forwardedFor: String? = nil, referer: String? = nil,
                environment: [String: String] = [:]) {
        self.method = method; self.contentType = contentType; self.accept = accept; self.acceptLanguage = acceptLanguage; self.body = body
        self.remoteAddress = remoteAddress; self.origin = origin; self.forwardedFor = forwardedFor; self.referer = referer
        self.environment = environment
    }

    /// Bodies above this are refused with 413: the largest valid one is a few hundred bytes.
    public static let maxBodyBytes = 16 * 1024
    /// A refused body is still read and discarded up to this much, because mod_cgid resets the connection
    /// of a CGI that answers without reading what it was sent (the client then sees no 413 at all).
    public static let maxDiscardBytes = 1024 * 1024
}

/// Why a request's body could not be read; the handler decides what the client is told.
public enum BodyFault: Error, Equatable, Sendable {
    /// CONTENT_LENGTH is not a decimal number.
    case badContentLength
    /// Fewer bytes came than CONTENT_LENGTH announced.
    case shorterThanContentLength
    /// Longer than `Request.maxBodyBytes`: read up to `maxDiscardBytes` and dropped.
    case tooLarge
}
