// One identifier's state and the rules that move it; pure, so every store backend applies the same ones.

public struct Record: Equatable, Sendable {
    /// HMAC of the code, never the code itself.
    public var codeMAC: [UInt8]
    public var expiresAt: Int64
    public var attempts: Int
    /// When the next send may happen (the resend cooldown's end).
    public var resendAt: Int64

    public init(codeMAC: [UInt8], expiresAt: Int64, attempts: Int, resendAt: Int64) {
        self.codeMAC = codeMAC; self.expiresAt = expiresAt; self.attempts = attempts; self.resendAt = resendAt
    }

    /// After this moment the record says nothing the service needs, so a sweep may remove it.
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

public struct IssuePolicy: Sendable {
    public var ttlSeconds: Int
    public var cooldownSeconds: Int
    public init(ttlSeconds: Int, cooldownSeconds: Int) { self.ttlSeconds = ttlSeconds; self.cooldownSeconds = cooldownSeconds }
}

extension Record {
    /// A new code replaces the old one and resets its attempts, unless the cooldown still runs.
    public static func issue(_ current: Record?, codeMAC: [UInt8], policy: IssuePolicy, now: Int64)
        -> (IssueOutcome, Record?) {
        if let current, current.resendAt > now {
            return (.coolingDown(retryAfter: Int(current.resendAt - now)), current)
        }
        let next = Record(codeMAC: codeMAC, expiresAt: now + Int64(policy.ttlSeconds), attempts: 0,
                          resendAt: now + Int64(policy.cooldownSeconds))
        return (.issued(previous: current), next)
    }

    /// A right code consumes the record; a wrong one counts; once the attempts are spent even the right
    /// code is refused. The answer for no record and for a wrong code is the caller's to make identical.
    public static func check(_ current: Record?, codeMAC: [UInt8], maxAttempts: Int, now: Int64)
        -> (CheckOutcome, Record?) {
        guard let current, !current.codeMAC.isEmpty, current.expiresAt > now else {
            return (.absent, current)
        }
        if current.attempts >= maxAttempts { return (.exhausted, current) }
        if ConstantTime.equals(current.codeMAC, codeMAC) {
            return (.verified, nil)
        }
        var counted = current
        counted.attempts += 1
        return (.wrong, counted)
    }

    /// Puts back the state before a send whose delivery failed, but only if that send's code is still there.
    public static func withdraw(_ current: Record?, codeMAC: [UInt8], restoring previous: Record?) -> Record? {
        guard let current, ConstantTime.equals(current.codeMAC, codeMAC) else { return current }
        return previous
    }
}
