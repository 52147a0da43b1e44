// Django's "smtp" email backend: the message goes to an SMTP relay, with curl speaking SMTP and TLS.
import OTP

struct SMTPSender: Sender {
    let delivery: DeliverySettings
    let from: String

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        try Curl(delivery, timeoutSeconds: delivery.emailTimeoutSeconds)
            .run(options(to: message.recipient.value), input: EmailMessage.render(message, from: from))
    }

    /// Plain SMTP, STARTTLS that must succeed (`ssl-reqd`, so a stripped STARTTLS is a failure, not a
    /// downgrade), or TLS from the first byte (`smtps`); Django logs in only when both user and password are set.
    func options(to recipient: String) -> [(String, String?)] {
        var options: [(String, String?)] = [("url", Self.relayURL(delivery)), ("proto", "=smtp,smtps"),
                                            ("mail-from", Self.envelopeAddress(from)), ("mail-rcpt", recipient), ("upload-file", "-")]
        if delivery.emailSecurity == .startTLS { options.append(("ssl-reqd", nil)) }
        if let user = delivery.emailUser, let password = delivery.emailPassword { options.append(("user", "\(user):\(password)")) }
        return options
    }

    /// smtp://host:port, or smtps:// for TLS from the first byte; an IPv6 host in brackets.
    static func relayURL(_ delivery: DeliverySettings) -> String {
        let host = delivery.emailHost.utf8.contains(UInt8(ascii: ":")) ? "[\(delivery.emailHost)]" : delivery.emailHost
        return "\(delivery.emailSecurity == .implicitTLS ? "smtps" : "smtp")://\(host):\(delivery.emailPort)"
    }

    /// DEFAULT_FROM_EMAIL may carry a display name ("Shop <otp@shop.example>"); the envelope takes the address.
    static func envelopeAddress(_ from: String) -> String {
        guard let open = from.lastIndex(of: "<"), let close = from[open...].firstIndex(of: ">") else { return from }
        return String(from[from.index(after: open)..<close])
    }
}
