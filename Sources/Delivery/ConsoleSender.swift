// Django's "console" backend: the message goes to stderr (Apache's error log). The one place a code is logged,
// which is why it is for development and for SMS/WhatsApp only while no provider is configured.
import Crypto
import OTP
import System

struct ConsoleSender: Sender {
    let from: String
    let log: (String) -> Void

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        switch message.recipient.channel {
        case .email:
            log("console email backend:\n" + EmailMessage.render(message, from: from).replacingEvery("\r\n", with: "\n"))
        case .sms, .whatsapp:
            log("console \(message.recipient.channel.rawValue) backend: to \(message.recipient.value): \(message.text)")
        }
    }
}
