// The two operations of the contract, generate and verify: the flow and nothing else.
import Crypto
import System

/// Built per request from its settings; its store, senders, messages, clock and log are passed in, so that tests
/// run it in process with an in-memory store, a recording sender and a stepped clock, and every adapter builds it alike.
public struct OTPService {
    /// The sender for a channel, or `providerNotConfigured` when the channel may not be used.
    public typealias Senders = (Channel) throws(OTPError) -> any Sender

    public let settings: ServiceSettings
    public let store: any OTPStore
    public let senders: Senders
    public let messages: any MessageComposer
    public let log: (String) -> Void
    public let now: () -> Int64

    public init(settings: ServiceSettings, store: any OTPStore, senders: @escaping Senders, messages: any MessageComposer,
                log: @escaping (String) -> Void, now: @escaping () -> Int64 = Clock.unixSeconds) {
        self.settings = settings
        self.store = store
        self.senders = senders
        self.messages = messages
        self.log = log
        self.now = now
    }

    /// The language of the message to `identifier`: the request's choice (its `locale` field or Accept-Language)
    /// if the site has it, else for a phone its country's, else the default.
    public func locale(requested: LanguageTag?, for identifier: Identifier) -> LanguageTag {
        messages.locale(requested: requested, phone: identifier.channel == .email ? nil : identifier.value)
    }

    /// Stores a new code (unless a limit or the cooldown refuses), then delivers it outside the lock. A failed
    /// delivery withdraws the code, so the client is left with no usable code and no cooldown; so does a template
    /// that cannot carry the code (a 500 naming it). The message is composed only once the limits let it go, so a
    /// refused request costs no template work.
    ///
    /// The order of the limits: the identifier's record first (cooldown and sends per window, one transition),
    /// then the client address's counter, and only then the send. So a request refused by the cooldown costs
    /// the client's budget nothing, and one refused by the client limit withdraws the code it had just stored:
    /// no cooldown starts and no send is counted. (Between the two, a concurrent generate for the same
    /// identifier may briefly see a cooldown; that errs on the side of fewer sends.)
    public func generate(for identifier: Identifier, client: IPAddress? = nil, locale: LanguageTag? = nil) throws(OTPError) -> Int64 {
        let sender = try senders(identifier.channel)
        let abuse = settings.abuse
        if identifier.channel != .email && !abuse.allowsPhone(identifier.value) {
            throw .badRequest("\(identifier.channel == .sms ? "SMS" : "WhatsApp") is not available for this phone number")
        }
        let secret = try secretKey()
        let key = RecordKey(secret: secret, identifier: identifier)
        let code = Code.random(length: settings.codeLength)
        let mac = codeMAC(secret, key, code)
        let start = now()
        let policy = IssuePolicy(ttlSeconds: settings.ttlSeconds, cooldownSeconds: settings.resendCooldownSeconds,
                                 maxSendsPerWindow: abuse.maxSendsPerWindow, windowSeconds: abuse.sendWindowSeconds)
        let outcome = try storeCall { () throws(StoreFault) in try store.issue(key, codeMAC: mac, policy: policy, now: start) }
        let previous: Record?
        switch outcome {
        case .coolingDown(let seconds): throw .coolingDown(retryAfter: max(1, seconds))
        case .limited(let seconds): throw .limited(.sends, retryAfter: max(1, seconds))
        case .issued(let earlier): previous = earlier
        }
        if abuse.ipMaxSendsPerWindow > 0 && abuse.sendWindowSeconds > 0 {
            let clientKey = RecordKey(secret: secret, client: client?.counted ?? "unknown")
            let counted: CountOutcome
            do throws(OTPError) {
                counted = try storeCall { () throws(StoreFault) in
                    try store.count(clientKey, limit: abuse.ipMaxSendsPerWindow, windowSeconds: abuse.sendWindowSeconds, now: start)
                }
            } catch {
                withdraw(key, mac, previous)
                throw error
            }
            if case .limited(let seconds) = counted {
                withdraw(key, mac, previous)
                throw .limited(.client, retryAfter: max(1, seconds))
            }
        }
        let message: OutgoingMessage
        do throws(TemplateFault) {
            message = try messages.message(to: identifier, code: code, locale: locale ?? messages.defaultLocale)
        } catch {
            withdraw(key, mac, previous)
            throw .misconfigured(error.description)
        }
        do throws(DeliveryFault) {
            try sender.send(message)
        } catch {
            log("delivery by \(identifier.channel.rawValue) to \(identifier.masked) failed: \(error)")
            withdraw(key, mac, previous)
            if let refusal = error.refusal { throw .recipientRefused(refusal) }
            throw .deliveryFailed(identifier.channel)
        }
        return start + Int64(settings.ttlSeconds)
    }

    private func withdraw(_ key: RecordKey, _ mac: [UInt8], _ previous: Record?) {
        do throws(StoreFault) { try store.withdraw(key, codeMAC: mac, restoring: previous) } catch {
            log("could not withdraw the unsent code: \(error)")
        }
    }

    /// A wrong code and an unknown identifier get the same answer, so verify does not reveal who has a code.
    public func verify(_ identifier: Identifier, code raw: String) throws(OTPError) {
        let code = try Code.validate(raw, length: settings.codeLength)
        let secret = try secretKey()
        let key = RecordKey(secret: secret, identifier: identifier)
        let policy = CheckPolicy(maxAttempts: settings.maxAttempts, maxFailuresPerWindow: settings.abuse.maxFailedVerifiesPerWindow,
                                 windowSeconds: settings.abuse.sendWindowSeconds)
        let outcome = try storeCall { () throws(StoreFault) in
            try store.check(key, codeMAC: codeMAC(secret, key, code), policy: policy, now: now())
        }
        switch outcome {
        case .verified: return
        case .wrong, .absent: throw .invalidCode
        case .exhausted: throw .tooManyAttempts
        case .limited(let seconds): throw .limited(.failures, retryAfter: max(1, seconds))
        }
    }

    /// The adapter calls this once per request and passes the result on, since it also names whom the log line is about.
    public func identify(_ fields: some RequestValues) throws(OTPError) -> Identifier {
        guard let channelName = try fields.string("channel") else { throw .badRequest("channel is required") }
        guard let channel = Channel(rawValue: channelName.trimmingASCIIWhitespace().lowercased()) else {
            throw .badRequest("channel must be email, sms or whatsapp")
        }
        guard let raw = try fields.string("identifier") else { throw .badRequest("identifier is required") }
        return try Identifier(channel: channel, raw: raw)
    }

    private func secretKey() throws(OTPError) -> [UInt8] {
        if let key = settings.secretKey { return key }
        return try storeCall { () throws(StoreFault) in try store.secretKey() }
    }

    /// The code is sealed with the record's key too, so a MAC copied between records is worthless.
    private func codeMAC(_ secret: [UInt8], _ key: RecordKey, _ code: String) -> [UInt8] {
        HMAC.sha256(key: secret, parts: ["code", key.hex, code])
    }

    /// Store faults carry paths and errnos: they go to the log, and the client learns only that the store
    /// failed, is busy (a lock not had in time, 503), or is misconfigured (a setting's name and the fix).
    private func storeCall<T>(_ body: () throws(StoreFault) -> T) throws(OTPError) -> T {
        do { return try body() } catch {
            switch error.kind {
            case .misconfigured(let detail): throw .misconfigured(detail)
            case .busy:
                log("store: \(error.description)")
                throw .storeBusy
            case .failed:
                log("store: \(error.description)")
                throw .storeFailed
            }
        }
    }
}
