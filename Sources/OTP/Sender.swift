// How a code leaves the service: one protocol, one implementation per backend, chosen from the settings.

public struct OutgoingMessage: Sendable {
    public let recipient: Identifier
    public let code: String
    /// The email's subject; nil for SMS and WhatsApp.
    public let subject: String?
    public var text: String
    /// An email's HTML alternative to `text`, from an operator's `email.html`.
    public let html: String?
    /// The language the text is in, for a provider that names it (a WhatsApp template, a webhook's event).
    public let locale: LanguageTag?
    /// When the code stops working (Unix seconds), for a provider that tells its receiver (a webhook's event).
    public var expiresAt: Int64

    public init(recipient: Identifier, code: String, subject: String?, text: String, html: String? = nil,
                locale: LanguageTag? = nil, expiresAt: Int64 = 0) {
        self.recipient = recipient; self.code = code; self.subject = subject; self.text = text; self.html = html
        self.locale = locale; self.expiresAt = expiresAt
    }
}

public protocol Sender {
    /// Throws `DeliveryFault` when the message was not handed over; the service then withdraws the code.
    func send(_ message: OutgoingMessage) throws(DeliveryFault)
}

/// A failure to deliver: its description (paths, provider answers) goes to the error log, never to the client.
public struct DeliveryFault: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    /// Set when the provider refused this recipient: a detail the asker may see, as it is theirs to fix.
    public let refusal: String?

    public init(_ description: String) { self.description = description; refusal = nil }

    public init(refused detail: String) { description = detail; refusal = detail }
}
