// A store in this process's memory for tests of the service in process: the same `Record` and `EventLog` rules as the
// file and Redis stores, and a fault to throw on demand.
import OTP

public final class MemoryStore: OTPStore {
    public private(set) var records: [RecordKey: Record] = [:]
    public private(set) var logs: [RecordKey: EventLog] = [:]
    /// When set, every call fails with it: a store that is down, busy or misconfigured.
    public var fault: StoreFault?

    public init() {}

    public func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome {
        try transition(key, in: \.records) { Record.issue($0, codeMAC: codeMAC, policy: policy, now: now) }
    }

    public func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome {
        try transition(key, in: \.records) { Record.check($0, codeMAC: codeMAC, policy: policy, now: now) }
    }

    public func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault) {
        try transition(key, in: \.records) { ((), Record.withdraw($0, codeMAC: codeMAC, restoring: previous)) }
    }

    public func take(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome {
        try transition(key, in: \.logs) { EventLog.take($0, limit: limit, windowSeconds: windowSeconds, now: now) }
    }

    public func giveBack(_ key: RecordKey, at time: Int64, windowSeconds: Int) throws(StoreFault) {
        try transition(key, in: \.logs) { ((), EventLog.giveBack($0, at: time)) }
    }

    private func transition<Value, T>(_ key: RecordKey, in table: ReferenceWritableKeyPath<MemoryStore, [RecordKey: Value]>,
                                      _ rule: (Value?) -> (T, Value?)) throws(StoreFault) -> T {
        if let fault { throw fault }
        let (outcome, next) = rule(self[keyPath: table][key])
        self[keyPath: table][key] = next
        return outcome
    }
}
