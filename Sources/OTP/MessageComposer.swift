// What a code is sent as: the words, in the recipient's language. The delivery layer composes them (built-in
// translations, the operator's settings and template files); the service only asks.

public protocol MessageComposer: Sendable {
    /// OTP_DEFAULT_LOCALE: the language when a request names none the site has.
    var defaultLocale: LanguageTag { get }

    /// Whether the site has words in `locale` itself (not only by falling back).
    func isAvailable(_ locale: LanguageTag) -> Bool

    /// The request's choice, narrowed to what the site has; else the phone number's country; else the default.
    func locale(requested: LanguageTag?, phone: String?) -> LanguageTag

    /// The message for `code` in `locale`, or the fault of the template it needs: then nothing is sent, and the service
    /// withdraws the code as after a failed delivery.
    func message(to recipient: Identifier, code: String, locale: LanguageTag) throws(TemplateFault) -> OutgoingMessage
}

/// A template that cannot be sent: the operator's to fix, so its description names the file or setting.
public struct TemplateFault: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
