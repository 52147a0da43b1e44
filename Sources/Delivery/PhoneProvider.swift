// One way to hand an SMS or WhatsApp message to someone who delivers it; FailoverSender tries them in order.
import OTP

/// One way to hand an SMS or WhatsApp message to someone who delivers it. A Sender itself, so that a lone
/// provider serves without a FailoverSender and costs no pause lookup.
protocol PhoneProvider: Sender {
    /// Its name in SMS_PROVIDERS / WA_PROVIDERS and in log lines: "twilio", "cloud", "http", "command",
    /// "webhook", "vonage", "plivo", "sinch", "infobip", "telnyx", "kannel", "jasmin".
    var name: String { get }
    /// Throws DeliveryFault; `DeliveryFault(refused:)` when the recipient can never be reached this way
    /// (not retried elsewhere), any other DeliveryFault when this provider failed (the next one is tried).
    func send(_ message: OutgoingMessage) throws(DeliveryFault)
}

extension TwilioSender: PhoneProvider {
    var name: String { "twilio" }
}

extension CloudAPISender: PhoneProvider {}
