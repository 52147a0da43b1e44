// What the web layer refuses on its own (the request's method, size, media type, origin and fields), beside
// what the service refuses, which it carries through: the one error type an endpoint's flow throws.
import Gateway
import OTP

public enum WebError: Error, Equatable, Sendable {
    case methodNotAllowed
    case payloadTooLarge
    case unsupportedMediaType
    case originNotAllowed
    /// A body, a field or a header that cannot be read as the endpoints need it; the text is safe to show.
    case badRequest(String)
    /// The service's refusal or fault, answered as `Response(_: OTPError)` says.
    case service(OTPError)

    /// Why the gateway did not read the body.
    init(_ fault: BodyFault) {
        switch fault {
        case .badContentLength: self = .badRequest("Bad Content-Length")
        case .shorterThanContentLength: self = .badRequest("Request body is shorter than its Content-Length")
        case .tooLarge: self = .payloadTooLarge
        }
    }
}

/// A call into the service (or its settings) from the endpoint's flow, its refusal carried as `WebError.service`.
func serviceCall<T>(_ body: () throws(OTPError) -> T) throws(WebError) -> T {
    do { return try body() } catch { throw .service(error) }
}
