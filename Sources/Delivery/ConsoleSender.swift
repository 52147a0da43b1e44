// Django's "console" backend: the message goes to stderr (Apache's error log). The one place a code is logged,
// which is why it is for development and for SMS/WhatsApp only while no provider is configured.
import OTP

struct ConsoleSender: Sender {
    let from: String
    let log: (String) -> Void

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        switch message.recipient.channel {
        case .email:
            // A line per log line: the log escapes line breaks, so that no field can forge a line of its own.
            log("console email backend:")
            let lines = EmailMessage.render(message, from: from).split(separator: 0x0a, omittingEmptySubsequences: false)
            for line in lines.dropLast() { log("  " + String(decoding: line.last == 0x0d ? line.dropLast() : line, as: UTF8.self)) }
        case .sms, .whatsapp:
            log("console \(message.recipient.channel.rawValue) backend: to \(message.recipient.value): \(message.text)")
        }
    }
}
