// One identifier's state and the rules that move it; pure, so every store backend applies the same ones.
import Crypto

public struct Record: Equatable, Sendable {
    /// HMAC of the code, never the code itself; empty once the code is used (the counters may outlive it).
    public var codeMAC: [UInt8]
    public var expiresAt: Int64
    public var attempts: Int
    /// When the next send may happen (the resend cooldown's end).
    public var resendAt: Int64
    /// The end of the current abuse window; `sends` and `failures` count within it and restart after it.
    public var windowEndsAt: Int64
    /// Codes sent in the window (for a client-address counter: generates from that address).
    public var sends: Int
    /// Wrong codes in the window, across every code sent in it, so that a resend does not reset a brute force.
    public var failures: Int

    public init(codeMAC: [UInt8], expiresAt: Int64, attempts: Int, resendAt: Int64,
                windowEndsAt: Int64 = 0, sends: Int = 0, failures: Int = 0) {
        self.codeMAC = codeMAC; self.expiresAt = expiresAt; self.attempts = attempts; self.resendAt = resendAt
        self.windowEndsAt = windowEndsAt; self.sends = sends; self.failures = failures
    }

    /// After this moment the record says nothing the service needs, so a sweep may remove it.
    public var deadAt: Int64 { max(expiresAt, resendAt, windowEndsAt) }
}

public enum IssueOutcome: Equatable, Sendable {
    /// `previous` is what a failed delivery puts back.
    case issued(previous: Record?)
    case coolingDown(retryAfter: Int)
    /// `OTP_MAX_SENDS_PER_WINDOW` codes went to this identifier in the window.
    case limited(retryAfter: Int)
}

public enum CheckOutcome: Equatable, Sendable {
    case verified, wrong, exhausted, absent
    /// `OTP_MAX_FAILED_VERIFIES_PER_WINDOW` wrong codes were tried for this identifier in the window.
    case limited(retryAfter: Int)
}

public enum CountOutcome: Equatable, Sendable {
    case counted
    case limited(retryAfter: Int)
}

/// Every limit is off at 0, as the settings are.
public struct IssuePolicy: Sendable {
    public var ttlSeconds: Int
    public var cooldownSeconds: Int
    public var maxSendsPerWindow: Int
    public var windowSeconds: Int
    public init(ttlSeconds: Int, cooldownSeconds: Int, maxSendsPerWindow: Int = 0, windowSeconds: Int = 0) {
        self.ttlSeconds = ttlSeconds; self.cooldownSeconds = cooldownSeconds
        self.maxSendsPerWindow = maxSendsPerWindow; self.windowSeconds = windowSeconds
    }
}

public struct CheckPolicy: Sendable {
    public var maxAttempts: Int
    public var maxFailuresPerWindow: Int
    public var windowSeconds: Int
    public init(maxAttempts: Int, maxFailuresPerWindow: Int = 0, windowSeconds: Int = 0) {
        self.maxAttempts = maxAttempts; self.maxFailuresPerWindow = maxFailuresPerWindow; self.windowSeconds = windowSeconds
    }
}

extension Record {
    /// A new code replaces the old one and resets its attempts, unless the window's sends are spent or the
    /// cooldown still runs. The window's limit is checked first, as its wait is the longer one to report.
    public static func issue(_ current: Record?, codeMAC: [UInt8], policy: IssuePolicy, now: Int64)
        -> (IssueOutcome, Record?) {
        var next = (current ?? Record(codeMAC: [], expiresAt: 0, attempts: 0, resendAt: 0)).inWindow(now: now)
        if policy.maxSendsPerWindow > 0 && policy.windowSeconds > 0 && next.sends >= policy.maxSendsPerWindow {
            return (.limited(retryAfter: Int(max(next.windowEndsAt, next.resendAt) - now)), current)
        }
        if let current, current.resendAt > now {
            return (.coolingDown(retryAfter: Int(current.resendAt - now)), current)
        }
        next.codeMAC = codeMAC
        next.expiresAt = now + Int64(policy.ttlSeconds)
        next.attempts = 0
        next.resendAt = now + Int64(policy.cooldownSeconds)
        if policy.maxSendsPerWindow > 0 && policy.windowSeconds > 0 {
            if next.windowEndsAt <= now { next.windowEndsAt = now + Int64(policy.windowSeconds) }
            next.sends += 1
        }
        return (.issued(previous: current), next)
    }

    /// A right code consumes the code and ends the cooldown (as before the counters existed); a wrong one
    /// counts, against the code and against the window; once either is spent even the right code is refused.
    /// The answer for no record and for a wrong code is the caller's to make identical. Guesses while no
    /// code lives change nothing: they cannot succeed.
    public static func check(_ current: Record?, codeMAC: [UInt8], policy: CheckPolicy, now: Int64)
        -> (CheckOutcome, Record?) {
        guard let current else { return (.absent, nil) }
        let windowed = policy.maxFailuresPerWindow > 0 && policy.windowSeconds > 0
        var next = current.inWindow(now: now)
        if windowed && next.failures >= policy.maxFailuresPerWindow {
            return (.limited(retryAfter: Int(next.windowEndsAt - now)), current)
        }
        guard !current.codeMAC.isEmpty, current.expiresAt > now else { return (.absent, current) }
        if current.attempts >= policy.maxAttempts { return (.exhausted, current) }
        if ConstantTime.equals(current.codeMAC, codeMAC) {
            next.codeMAC = []
            next.expiresAt = 0
            next.attempts = 0
            next.resendAt = 0
            return (.verified, next.deadAt > now ? next : nil)
        }
        next.attempts += 1
        if windowed {
            if next.windowEndsAt <= now { next.windowEndsAt = now + Int64(policy.windowSeconds) }
            next.failures += 1
        }
        return (.wrong, next)
    }

    /// Undoes a send whose delivery failed (or that a client-address limit refused): the previous code,
    /// attempts and cooldown come back and the send is uncounted, but only if that send's code is still
    /// there. Wrong codes tried meanwhile stay counted.
    public static func withdraw(_ current: Record?, codeMAC: [UInt8], restoring previous: Record?) -> Record? {
        guard let current, ConstantTime.equals(current.codeMAC, codeMAC) else { return current }
        var restored = current
        restored.codeMAC = previous?.codeMAC ?? []
        restored.expiresAt = previous?.expiresAt ?? 0
        restored.attempts = previous?.attempts ?? 0
        restored.resendAt = previous?.resendAt ?? 0
        restored.sends = max(0, current.sends - 1)
        if previous == nil && restored.sends == 0 && restored.failures == 0 { return nil }
        return restored
    }

    /// A fixed-window counter of events on one key (generates from one client address): at most `limit`
    /// per window, exact because the count and its check are one transition.
    public static func count(_ current: Record?, limit: Int, windowSeconds: Int, now: Int64) -> (CountOutcome, Record?) {
        var next = (current ?? Record(codeMAC: [], expiresAt: 0, attempts: 0, resendAt: 0)).inWindow(now: now)
        if next.sends >= limit { return (.limited(retryAfter: Int(next.windowEndsAt - now)), current) }
        if next.windowEndsAt <= now { next.windowEndsAt = now + Int64(windowSeconds) }
        next.sends += 1
        return (.counted, next)
    }

    /// The record with its counters restarted if its window has ended.
    public func inWindow(now: Int64) -> Record {
        guard windowEndsAt <= now, sends != 0 || failures != 0 || windowEndsAt != 0 else { return self }
        var fresh = self
        fresh.windowEndsAt = 0
        fresh.sends = 0
        fresh.failures = 0
        return fresh
    }
}
