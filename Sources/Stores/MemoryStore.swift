// A store in this process's memory: the same `Record` rules as the file and Redis stores, for tests of the service
// in process and for a program that serves every request from one process.
import Crypto
import OTP
import System

public final class MemoryStore: OTPStore {
    public private(set) var records: [RecordKey: Record] = [:]
    private var key: [UInt8]?
    /// When set, every call fails with it: a store that is down, busy or misconfigured.
    public var fault: StoreFault?

    public init() {}

    public func secretKey() throws(StoreFault) -> [UInt8] {
        if let fault { throw fault }
        if let key { return key }
        let made = Random.bytes(32)
        key = made
        return made
    }

    public func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome {
        try transition(key) { Record.issue($0, codeMAC: codeMAC, policy: policy, now: now) }
    }

    public func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome {
        try transition(key) { Record.check($0, codeMAC: codeMAC, policy: policy, now: now) }
    }

    public func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault) {
        try transition(key) { ((), Record.withdraw($0, codeMAC: codeMAC, restoring: previous)) }
    }

    public func count(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome {
        try transition(key) { Record.count($0, limit: limit, windowSeconds: windowSeconds, now: now) }
    }

    private func transition<T>(_ key: RecordKey, _ rule: (Record?) -> (T, Record?)) throws(StoreFault) -> T {
        if let fault { throw fault }
        let (outcome, next) = rule(records[key])
        records[key] = next
        return outcome
    }
}
