// What a store throws: its own faults, never an answer for the client; the service turns them into `OTPError`.

/// A failure of the store's machinery. The description names paths, errnos and addresses, so it goes to the
/// error log only.
public struct StoreFault: Error, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Anything that may work again on its own (a lock not had in time, a Redis failing over): a 503.
        case busy
        case failed
        /// The operator must fix a setting; the text says which, and is safe to show.
        case misconfigured(String)
    }

    public let description: String
    public let kind: Kind

    public init(_ description: String, busy: Bool = false) {
        self.description = description
        kind = busy ? .busy : .failed
    }

    public init(misconfigured detail: String) {
        description = detail
        kind = .misconfigured(detail)
    }

    public var busy: Bool { kind == .busy }
}
