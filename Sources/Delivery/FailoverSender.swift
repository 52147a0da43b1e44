// Several phone providers in the operator's order: a failed one is skipped for the next, and paused a while.
import OTP

/// A provider that failed (timed out, answered 5xx, refused our credentials) is recorded in the store's pauses and
/// tried after the others until its pause is over, so a dead provider costs one request its timeout, not every
/// request. A refused recipient is final: another provider would refuse the same number, and each try is billed.
struct FailoverSender: Sender {
    let channel: Channel
    /// In the configured order.
    let providers: [any PhoneProvider]
    let pauses: any ProviderPauses
    let pauseSeconds: Int
    let now: () -> Int64
    let log: (String) -> Void

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        var failures: [(String, DeliveryFault)] = []
        for provider in ordered() {
            do throws(DeliveryFault) {
                try provider.send(message)
                if !failures.isEmpty { log("\(channel.rawValue): sent by \(provider.name) after \(Self.list(failures))") }
                return
            } catch {
                if error.refusal != nil {
                    if !failures.isEmpty { log("\(channel.rawValue): \(provider.name) refused the recipient after \(Self.list(failures))") }
                    throw error
                }
                pauses.recordFailure(key(provider), now: now())
                failures.append((provider.name, error))
            }
        }
        throw DeliveryFault("every \(channel.rawValue) provider failed: "
            + failures.map { "\($0.0): \($0.1.description)" }.joined(separator: "; "))
    }

    /// The providers not paused, in list order, then the paused ones, in list order.
    func ordered() -> [any PhoneProvider] {
        let paused = pauses.paused(providers.map(key), seconds: pauseSeconds, now: now())
        guard !paused.isEmpty else { return providers }
        return providers.filter { !paused.contains(key($0)) } + providers.filter { paused.contains(key($0)) }
    }

    /// "sms/twilio": the name the pauses know it by.
    func key(_ provider: any PhoneProvider) -> String { "\(channel.rawValue)/\(provider.name)" }

    static func list(_ failures: [(String, DeliveryFault)]) -> String {
        failures.map { "\($0.0) failed (\($0.1.description))" }.joined(separator: ", ")
    }
}
