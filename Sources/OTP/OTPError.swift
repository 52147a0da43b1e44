// Every refusal and fault the service decides that the client is told of. Which HTTP status and words each one
// gets is decided in one place, the web layer's `Response(_:)`, so nothing here knows HTTP.

public enum OTPError: Error, Equatable, Sendable {
    case badRequest(String)
    case invalidCode
    case tooManyAttempts
    case coolingDown(retryAfter: Int)
    case misconfigured(String)
    /// `missing`: the settings that would configure it, so that the answer and the log say what to set.
    case providerNotConfigured(Channel, missing: [String])
    /// The provider refused the recipient (a number that cannot get SMS, say): the asker's to fix.
    case recipientRefused(String)
    case deliveryFailed(Channel)
    case storeFailed
    case storeBusy
    /// An abuse limit refused the request: the budget names which.
    case limited(Budget, retryAfter: Int)
}
