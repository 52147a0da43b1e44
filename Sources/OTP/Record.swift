// One identifier's state and the rules that move it; pure, so every store backend applies the same ones.
import Digests

public struct Record: Equatable, Sendable {
    /// HMAC of the code, never the code itself; empty once the code is used.
    public var codeMAC: [UInt8]
    public var expiresAt: Int64
    public var attempts: Int
    /// When the next send may happen (the resend cooldown's end).
    public var resendAt: Int64

    public init(codeMAC: [UInt8], expiresAt: Int64, attempts: Int, resendAt: Int64) {
        self.codeMAC = codeMAC; self.expiresAt = expiresAt; self.attempts = attempts; self.resendAt = resendAt
    }

    /// After this moment the record says nothing the service needs, so a store may reuse its place or drop it.
    public var deadAt: Int64 { max(expiresAt, resendAt) }
}

public enum IssueOutcome: Equatable, Sendable {
    /// `previous` is what a failed delivery puts back.
    case issued(previous: Record?)
    case coolingDown(retryAfter: Int)
}

public enum CheckOutcome: Equatable, Sendable {
    case verified, wrong, exhausted, absent
}

/// What `EventLog.take` answers: counted, or the wait until one more event would be.
public enum CountOutcome: Equatable, Sendable {
    case counted
    case limited(retryAfter: Int)
}

public struct IssuePolicy: Sendable {
    public var ttlSeconds: Int
    public var cooldownSeconds: Int
    public init(ttlSeconds: Int, cooldownSeconds: Int) {
        self.ttlSeconds = ttlSeconds; self.cooldownSeconds = cooldownSeconds
    }
}

public struct CheckPolicy: Sendable {
    public var maxAttempts: Int
    public init(maxAttempts: Int) { self.maxAttempts = maxAttempts }
}

extension Record {
    /// A new code replaces the old one and resets its attempts, unless the cooldown still runs. The windows of
    /// sends and wrong codes are counted in event logs of their own (`EventLog`), per mailbox and per network.
    public static func issue(_ current: Record?, codeMAC: [UInt8], policy: IssuePolicy, now: Int64)
        -> (IssueOutcome, Record?) {
        if let current, current.resendAt > now {
            return (.coolingDown(retryAfter: Int(current.resendAt - now)), current)
        }
        let next = Record(codeMAC: codeMAC, expiresAt: now + Int64(policy.ttlSeconds), attempts: 0,
                          resendAt: now + Int64(policy.cooldownSeconds))
        return (.issued(previous: current), next)
    }

    /// A right code consumes the code and ends the cooldown; a wrong one counts against the code; once the
    /// attempts are spent even the right code is refused. The answer for no record and for a wrong code is the
    /// caller's to make identical. Guesses while no code lives change nothing: they cannot succeed.
    public static func check(_ current: Record?, codeMAC: [UInt8], policy: CheckPolicy, now: Int64)
        -> (CheckOutcome, Record?) {
        guard let current else { return (.absent, nil) }
        guard !current.codeMAC.isEmpty, current.expiresAt > now else { return (.absent, current) }
        if current.attempts >= policy.maxAttempts { return (.exhausted, current) }
        if ConstantTime.equals(current.codeMAC, codeMAC) { return (.verified, nil) }
        var next = current
        next.attempts += 1
        return (.wrong, next)
    }

    /// Undoes a send whose delivery failed (or that a limit refused): the previous code, attempts and cooldown
    /// come back, but only if that send's code is still there.
    public static func withdraw(_ current: Record?, codeMAC: [UInt8], restoring previous: Record?) -> Record? {
        guard let current, ConstantTime.equals(current.codeMAC, codeMAC) else { return current }
        return previous
    }
}
