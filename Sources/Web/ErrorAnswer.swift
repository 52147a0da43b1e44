// The one place every refusal and fault becomes what the client sees: a status, a detail safe to show, headers.
import OTP
import OTP

extension Response {
    public init(_ error: OTPError) {
        self.init(status: Self.status(error), detail: Self.detail(error), headers: Self.headers(error))
    }

    public init(_ error: WebError) {
        switch error {
        case .service(let refusal): self.init(refusal)
        case .methodNotAllowed: self.init(status: 405, detail: "Method not allowed", headers: [("Allow", "POST")])
        case .payloadTooLarge: self.init(status: 413, detail: "Request body too large")
        case .unsupportedMediaType:
            self.init(status: 415, detail: "Unsupported content type; send application/json or application/x-www-form-urlencoded")
        case .originNotAllowed: self.init(status: 403, detail: "Origin not allowed")
        case .badRequest(let message): self.init(status: 400, detail: message)
        }
    }

    static func status(_ error: OTPError) -> Int {
        switch error {
        case .badRequest, .invalidCode, .recipientRefused: 400
        case .tooManyAttempts, .coolingDown, .limited: 429
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
        case .misconfigured(let message): "server misconfigured: \(message)"
        case .providerNotConfigured(let channel, let missing):
            "\(channel.rawValue) provider not configured: set \(missing.joined(separator: ", ")) (OTP_REQUIRE_PROVIDER_CONFIG is true)"
        case .deliveryFailed(let channel): "Could not send the code by \(channel.rawValue)"
        case .storeFailed: "Could not store the code"
        case .storeBusy: "Service temporarily unavailable"
        case .limited(let limit, let seconds): "\(detail(limit)); try again in \(seconds) seconds"
        }
    }

    static func detail(_ limit: Budget) -> String {
        switch limit {
        case .sends: "Too many codes sent to this identifier"
        case .failures: "Too many wrong codes for this identifier"
        case .clientSends: "Too many codes requested from your network"
        case .clientFailures: "Too many wrong codes from your network"
        case .networkSends: "Too many codes sent to this identifier from your network"
        case .networkFailures: "Too many wrong codes for this identifier from your network"
        }
    }

    static func headers(_ error: OTPError) -> [(String, String)] {
        switch error {
        case .coolingDown(let seconds): [("Retry-After", String(seconds))]
        case .storeBusy: [("Retry-After", "1")]
        case .limited(_, let seconds): [("Retry-After", String(seconds))]
        default: []
        }
    }
}
