// The one place every refusal and fault becomes what the client sees: a status, a detail safe to show, headers.
import OTP

extension Response {
    public init(_ error: OTPError) {
        self.init(status: Self.status(error), detail: Self.detail(error), headers: Self.headers(error))
    }

    static func status(_ error: OTPError) -> Int {
        switch error {
        case .badRequest, .invalidCode, .recipientRefused: 400
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .tooManyAttempts, .coolingDown, .limited: 429
        case .originNotAllowed: 403
        case .misconfigured, .providerNotConfigured, .deliveryFailed, .storeFailed: 500
        case .storeBusy: 503
        }
    }

    static func detail(_ error: OTPError) -> String {
        switch error {
        case .badRequest(let message), .recipientRefused(let message): message
        case .invalidCode: "Invalid or expired code"
        case .tooManyAttempts: "Too many attempts; request a new code"
        case .coolingDown(let seconds): "Please wait \(seconds) seconds before requesting a new code"
        case .methodNotAllowed: "Method not allowed"
        case .payloadTooLarge: "Request body too large"
        case .unsupportedMediaType: "Unsupported content type; send application/json or application/x-www-form-urlencoded"
        case .misconfigured(let message): "server misconfigured: \(message)"
        case .providerNotConfigured(let channel, let missing):
            "\(channel.rawValue) provider not configured: set \(missing.joined(separator: ", ")) (OTP_REQUIRE_PROVIDER_CONFIG is true)"
        case .deliveryFailed(let channel): "Could not send the code by \(channel.rawValue)"
        case .storeFailed: "Could not store the code"
        case .storeBusy: "Service temporarily unavailable"
        case .limited(let limit, let seconds): "\(detail(limit)); try again in \(seconds) seconds"
        case .originNotAllowed: "Origin not allowed"
        }
    }

    static func detail(_ limit: Limit) -> String {
        switch limit {
        case .sends: "Too many codes sent to this identifier"
        case .failures: "Too many wrong codes for this identifier"
        case .client: "Too many codes requested from your network"
        case .clientFailures: "Too many wrong codes from your network"
        }
    }

    static func headers(_ error: OTPError) -> [(String, String)] {
        switch error {
        case .methodNotAllowed: [("Allow", "POST")]
        case .coolingDown(let seconds): [("Retry-After", String(seconds))]
        case .storeBusy: [("Retry-After", "1")]
        case .limited(_, let seconds): [("Retry-After", String(seconds))]
        default: []
        }
    }
}
