// Every failure the client may see: each case carries one HTTP status and a message that is safe to show.

public enum OTPError: Error, Equatable, Sendable {
    case badRequest(String)
    case invalidCode
    case tooManyAttempts
    case coolingDown(retryAfter: Int)
    case methodNotAllowed
    case payloadTooLarge
    case unsupportedMediaType
    case misconfigured(String)
    case providerNotConfigured(Channel)
    case deliveryFailed(Channel)
    case storeFailed
    case storeBusy
    case limited(Limit, retryAfter: Int)
    case originNotAllowed

    public var status: Int {
        switch self {
        case .badRequest, .invalidCode: 400
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .tooManyAttempts, .coolingDown, .limited: 429
        case .originNotAllowed: 403
        case .misconfigured, .providerNotConfigured, .deliveryFailed, .storeFailed: 500
        case .storeBusy: 503
        }
    }

    public var detail: String {
        switch self {
        case .badRequest(let message): message
        case .invalidCode: "Invalid or expired code"
        case .tooManyAttempts: "Too many attempts; request a new code"
        case .coolingDown(let seconds): "Please wait \(seconds) seconds before requesting a new code"
        case .methodNotAllowed: "Method not allowed"
        case .payloadTooLarge: "Request body too large"
        case .unsupportedMediaType: "Unsupported content type; send application/json or application/x-www-form-urlencoded"
        case .misconfigured(let message): "server misconfigured: \(message)"
        case .providerNotConfigured(let channel): "\(channel.rawValue) provider not configured"
        case .deliveryFailed(let channel): "Could not send the code by \(channel.rawValue)"
        case .storeFailed: "Could not store the code"
        case .storeBusy: "Service temporarily unavailable"
        case .limited(let limit, let seconds): "\(limit.detail); try again in \(seconds) seconds"
        case .originNotAllowed: "Origin not allowed"
        }
    }

    public var headers: [(String, String)] {
        switch self {
        case .methodNotAllowed: [("Allow", "POST")]
        case .coolingDown(let seconds): [("Retry-After", String(seconds))]
        case .storeBusy: [("Retry-After", "1")]
        case .limited(_, let seconds): [("Retry-After", String(seconds))]
        default: []
        }
    }
}

/// Which abuse limit refused a request, for its 429's detail.
public enum Limit: Sendable, Equatable {
    case sends, failures, client

    var detail: String {
        switch self {
        case .sends: "Too many codes sent to this identifier"
        case .failures: "Too many wrong codes for this identifier"
        case .client: "Too many codes requested from your network"
        }
    }
}

/// A failure of the store's machinery: its detail names paths and errnos, so it goes to the error log only,
/// while the client sees `OTPError.storeFailed` or `.storeBusy`.
public struct StoreFault: Error, CustomStringConvertible, Sendable {
    public let description: String
    public let busy: Bool
    public init(_ description: String, busy: Bool = false) { self.description = description; self.busy = busy }
}
