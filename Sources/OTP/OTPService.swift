// The two operations of the contract, generate and verify: the flow and nothing else.
import Digests
import Platform

/// Built per request from its settings; its store, senders, messages, clock and log are passed in, so that tests
/// run it in process with an in-memory store, a recording sender and a stepped clock, and CGI and FastCGI build it alike.
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

    /// OTP_DEFAULT_LOCALE: the language of whatever a request names none for.
    public var defaultLocale: LanguageTag { messages.defaultLocale }

    /// Whether the site has words in `locale` itself, for picking one from a request's Accept-Language.
    public func hasWords(in locale: LanguageTag) -> Bool { messages.isAvailable(locale) }

    /// The language of the message to `identifier`: the request's choice (its `locale` field or Accept-Language)
    /// if the site has it, else for a phone its country's, else the default.
    public func locale(requested: LanguageTag?, for identifier: Identifier) -> LanguageTag {
        messages.locale(requested: requested, phone: identifier.channel == .email ? nil : identifier.value)
    }

    /// Stores a new code (unless the cooldown or a limit refuses), then delivers it outside the lock. A failed
    /// delivery withdraws the code, so the client is left with no usable code and no cooldown; so does a template
    /// that cannot carry the code (a 500 naming it). The message is composed only once the limits let it go, so a
    /// refused request costs no template work.
    ///
    /// The order: the identifier's record first (the cooldown), then the mailbox's sends, then the client's
    /// networks, and only then the send. So a request refused by the cooldown costs no budget, and one refused by
    /// a limit withdraws the code it had just stored and gives back what it had counted: no cooldown starts and
    /// no send is counted. (Between the two, a concurrent generate for the same identifier may briefly see a
    /// cooldown; that errs on the side of fewer sends.)
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
        let policy = IssuePolicy(ttlSeconds: settings.ttlSeconds, cooldownSeconds: settings.resendCooldownSeconds)
        let outcome = try storeCall { () throws(StoreFault) in try store.issue(key, codeMAC: mac, policy: policy, now: start) }
        let previous: Record?
        switch outcome {
        case .coolingDown(let seconds): throw .coolingDown(retryAfter: max(1, seconds))
        case .issued(let earlier): previous = earlier
        }
        var taken: [RecordKey] = []
        do throws(OTPError) {
            taken = try take(allowances(secret, .sends, of: identifier, client: client), at: start)
        } catch {
            withdraw(key, mac, previous)
            throw error
        }
        // Nothing sent: the code is withdrawn and the mailbox's send uncounted; the client's request stays counted.
        let unsent = {
            withdraw(key, mac, previous)
            let mailbox = RecordKey(secret: secret, budget: .sends, of: identifier.mailbox)
            giveBack(taken.filter { $0 == mailbox }, at: start)
        }
        var message: OutgoingMessage
        do throws(TemplateFault) {
            message = try messages.message(to: identifier, code: code, locale: locale ?? messages.defaultLocale)
            message.expiresAt = start + Int64(settings.ttlSeconds)
        } catch {
            unsent()
            throw .misconfigured(error.description)
        }
        do throws(DeliveryFault) {
            try sender.send(message)
        } catch {
            log("delivery by \(identifier.channel.rawValue) to \(identifier.masked) failed: \(error)")
            unsent()
            if let refusal = error.refusal { throw .recipientRefused(refusal) }
            throw .deliveryFailed(identifier.channel)
        }
        return message.expiresAt
    }

    private func withdraw(_ key: RecordKey, _ mac: [UInt8], _ previous: Record?) {
        do throws(StoreFault) { try store.withdraw(key, codeMAC: mac, restoring: previous) } catch {
            log("could not withdraw the unsent code: \(error)")
        }
    }

    /// A wrong code and an unknown identifier get the same answer, so verify does not reveal who has a code;
    /// and both count alike against the mailbox's and the client's failures, or a limit's 429 would reveal it.
    /// They are counted before the code is checked (and given back after a right one), so that concurrent
    /// guesses cannot all pass a limit that none of them had counted against yet.
    /// Returns the second the code was accepted at, the moment a proof of it is issued at.
    @discardableResult
    public func verify(_ identifier: Identifier, code raw: String, client: IPAddress? = nil) throws(OTPError) -> Int64 {
        let code = try Code.validate(raw, length: settings.codeLength)
        let secret = try secretKey()
        let key = RecordKey(secret: secret, identifier: identifier)
        let start = now()
        let taken = try take(allowances(secret, .failures, of: identifier, client: client), at: start)
        let outcome: CheckOutcome
        do throws(OTPError) {
            outcome = try storeCall { () throws(StoreFault) in
                try store.check(key, codeMAC: codeMAC(secret, key, code), policy: CheckPolicy(maxAttempts: settings.maxAttempts), now: start)
            }
        } catch {
            giveBack(taken, at: start)
            throw error
        }
        switch outcome {
        case .verified: giveBack(taken, at: start)
        case .wrong, .absent: throw .invalidCode
        case .exhausted: throw .tooManyAttempts
        }
        return start
    }

    /// One event log a request counts against: whose it is, what it counts (which also names the limit a refusal
    /// cites) and how many events it may hold.
    private struct Allowance {
        let key: RecordKey
        let budget: Budget
        let limit: Int
    }

    /// The event logs a request counts against, the mailbox's first, each with its limit (a limit of 0, or a window
    /// of 0, leaves that log out): for sends, `Budget.networkSends`, `.sends` and `.clientSends`; for failures,
    /// `.networkFailures`, `.failures` and `.clientFailures`. The mailbox's share for the client's widest network
    /// comes first, so a network past its share spends none of the mailbox's budget, which its owner still has.
    /// A client without a usable address counts with every such client together.
    private func allowances(_ secret: HMACKey, _ budget: Budget, of identifier: Identifier, client: IPAddress?) -> [Allowance] {
        let abuse = settings.abuse
        guard abuse.sendWindowSeconds > 0 else { return [] }
        let sends = budget == .sends
        var out: [Allowance] = []
        let own = sends ? abuse.maxSendsPerWindow : abuse.maxFailedVerifiesPerWindow
        let networks = client?.networks ?? ["unknown"]
        let share = sends ? abuse.maxSendsPerNetwork : abuse.maxFailedVerifiesPerNetwork
        if own > 0 && share > 0 && share < own, let widest = networks.last {
            let shareBudget: Budget = sends ? .networkSends : .networkFailures
            out.append(Allowance(key: RecordKey(secret: secret, budget: shareBudget, of: identifier.mailbox + " " + widest),
                                 budget: shareBudget, limit: share))
        }
        if own > 0 { out.append(Allowance(key: RecordKey(secret: secret, budget: budget, of: identifier.mailbox), budget: budget, limit: own)) }
        let perClient = sends ? abuse.ipMaxSendsPerWindow : abuse.ipMaxFailedVerifiesPerWindow
        if perClient > 0 {
            let clientBudget: Budget = sends ? .clientSends : .clientFailures
            for (index, network) in networks.enumerated() {
                out.append(Allowance(key: RecordKey(secret: secret, budget: clientBudget, of: network), budget: clientBudget,
                                     limit: perClient * IPAddress.budgetMultiplier(ofNetworkAt: index)))
            }
        }
        return out
    }

    /// Counts one event in each log, in order; at the first that refuses, gives back what was counted and throws
    /// that limit. Returns the keys counted.
    private func take(_ allowances: [Allowance], at time: Int64) throws(OTPError) -> [RecordKey] {
        let window = settings.abuse.sendWindowSeconds
        var taken: [RecordKey] = []
        for allowance in allowances {
            let outcome: CountOutcome
            do throws(OTPError) {
                outcome = try storeCall { () throws(StoreFault) in
                    try store.take(allowance.key, limit: allowance.limit, windowSeconds: window, now: time)
                }
            } catch {
                giveBack(taken, at: time)
                throw error
            }
            if case .limited(let seconds) = outcome {
                giveBack(taken, at: time)
                throw .limited(allowance.budget, retryAfter: max(1, seconds))
            }
            taken.append(allowance.key)
        }
        return taken
    }

    /// Best effort: a give-back that fails leaves one event counted too many, which errs on the side of refusing.
    private func giveBack(_ keys: [RecordKey], at time: Int64) {
        for key in keys {
            do throws(StoreFault) { try store.giveBack(key, at: time, windowSeconds: settings.abuse.sendWindowSeconds) } catch {
                log("could not uncount an event: \(error)")
            }
        }
    }

    /// The key is never made in the store, where a copy of the store would hand it over with the records.
    private func secretKey() throws(OTPError) -> HMACKey {
        if let key = settings.secret { return key }
        log("no key: set OTP_SECRET_KEY, or OTP_SECRET_KEY_FILE to a file outside the store; " + SecretKeyFile.howToMakeOne)
        throw .misconfigured("set OTP_SECRET_KEY or OTP_SECRET_KEY_FILE")
    }

    /// The code is sealed with the record's key too, so a MAC copied between records is worthless.
    private func codeMAC(_ secret: HMACKey, _ key: RecordKey, _ code: String) -> [UInt8] {
        secret.sha256(parts: ["code", key.hex, code])
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
