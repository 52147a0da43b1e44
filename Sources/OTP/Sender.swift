// How a code leaves the service: one protocol, one implementation per backend, chosen from the settings.

public struct OutgoingMessage: Sendable {
    public let recipient: Identifier
    public let code: String
    /// The email's subject; nil for SMS and WhatsApp.
    public let subject: String?
    public let text: String
}

public protocol Sender {
    /// Throws when the message was not handed over; the service then withdraws the code.
    func send(_ message: OutgoingMessage) throws
}

/// A failure to deliver: its detail (paths, provider answers) goes to the error log, never to the client.
public struct DeliveryFault: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
