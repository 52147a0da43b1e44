// The service in process: an in-memory store, a sender that records (or fails), messages in a fixed format (or a
// template fault), a clock the test steps, a log.
import TestSupport
@testable import OTP
import Platform
import Digests

final class ServiceHarness {
    var now: Int64 = 1_000_000
    var settings: ServiceSettings = {
        var settings = ServiceSettings()
        settings.secretKey = Array("service-harness-key-0123456789".utf8)
        return settings
    }()
    let store = MemoryStore()
    var sent: [OutgoingMessage] = []
    /// What the next sends fail with, if anything.
    var deliveryFault: DeliveryFault?
    /// Set: the channel's provider is not configured.
    var unconfigured = false
    /// Set: the message's template is broken.
    var templateFault: TemplateFault?
    var lines: [String] = []

    var service: OTPService {
        OTPService(settings: settings, store: store,
                   senders: { [unowned self] (channel: Channel) throws(OTPError) -> any Sender in
                       if unconfigured { throw .providerNotConfigured(channel, missing: ["X"]) }
                       return RecordingSender(harness: self)
                   },
                   messages: Messages(fault: templateFault),
                   log: { [unowned self] in lines.append($0) }, now: { [unowned self] in now })
    }

    func email(_ address: String) throws -> Identifier { try Identifier(channel: .email, raw: address) }

    @discardableResult
    func generate(_ address: String, from client: String = "192.0.2.1", locale: LanguageTag? = nil) throws(OTPError) -> Int64 {
        try service.generate(for: try! email(address), client: IPAddress(client), locale: locale)
    }

    func verify(_ address: String, _ code: String, from client: String = "192.0.2.1") throws(OTPError) {
        try service.verify(try! email(address), code: code, client: IPAddress(client))
    }

    /// The code of the last message sent to `address`.
    func code(for address: String) -> String? { sent.last { $0.recipient.value == address }?.code }

    func record(for address: String) throws -> Record? {
        store.records[RecordKey(secret: HMACKey(settings.secretKey!), identifier: try email(address))]
    }

    /// The times an event log holds.
    func log(_ budget: Budget, of subject: String) -> [Int64] {
        store.logs[RecordKey(secret: HMACKey(settings.secretKey!), budget: budget, of: subject)]?.times ?? []
    }

    /// "LOCALE CODE", so a test sees which locale and code the service asked for.
    struct Messages: MessageComposer {
        let fault: TemplateFault?
        var defaultLocale: LanguageTag { .english }
        func isAvailable(_ locale: LanguageTag) -> Bool { locale.language == "en" || locale.language == "fr" }
        func locale(requested: LanguageTag?, phone: String?) -> LanguageTag {
            (requested ?? (phone?.hasPrefix("+33") == true ? LanguageTag("fr") : nil))?.firstTruncation(where: isAvailable) ?? .english
        }
        func message(to recipient: Identifier, code: String, locale: LanguageTag) throws(TemplateFault) -> OutgoingMessage {
            if let fault { throw fault }
            return OutgoingMessage(recipient: recipient, code: code, subject: "subject", text: "\(locale) \(code)")
        }
    }

    struct RecordingSender: Sender {
        let harness: ServiceHarness
        func send(_ message: OutgoingMessage) throws(DeliveryFault) {
            if let fault = harness.deliveryFault { throw fault }
            harness.sent.append(message)
        }
    }
}
