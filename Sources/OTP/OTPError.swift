// Every outcome other than success that the client is told of. Which HTTP status and words each one gets is
// decided in one place, the HTTP layer's `Response(_:)`, so nothing here knows HTTP.
import System

public enum OTPError: Error, Equatable, Sendable {
    case badRequest(String)
    case invalidCode
    case tooManyAttempts
    case coolingDown(retryAfter: Int)
    case methodNotAllowed
    case payloadTooLarge
    case unsupportedMediaType
    case misconfigured(String)
    /// `missing`: the settings that would configure it, so that the answer and the log say what to set.
    case providerNotConfigured(Channel, missing: [String])
    /// The provider refused the recipient (a number that cannot get SMS, say): the asker's to fix.
    case recipientRefused(String)
    case deliveryFailed(Channel)
    case storeFailed
    case storeBusy
    case limited(Limit, retryAfter: Int)
    case originNotAllowed
}

/// Which abuse limit refused a request, for its 429's detail.
public enum Limit: Sendable, Equatable {
    case sends, failures, client, clientFailures
}
