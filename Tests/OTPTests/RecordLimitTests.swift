// The abuse windows in the record rules: sends per window, wrong codes across codes, the client counter.
import Testing
@testable import OTP

@Suite struct RecordLimitTests {
    let mac = [UInt8](repeating: 7, count: 32), other = [UInt8](repeating: 8, count: 32)
    let issuing = IssuePolicy(ttlSeconds: 300, cooldownSeconds: 30, maxSendsPerWindow: 3, windowSeconds: 3600)
    let checking = CheckPolicy(maxAttempts: 5, maxFailuresPerWindow: 4, windowSeconds: 3600)

    /// Sends `count` codes 60 s apart from t=1000 and returns the last outcome and record.
    private func send(_ count: Int, policy: IssuePolicy? = nil) -> (IssueOutcome, Record?) {
        var record: Record? = nil, outcome = IssueOutcome.coolingDown(retryAfter: 0)
        for i in 0..<count { (outcome, record) = Record.issue(record, codeMAC: mac, policy: policy ?? issuing, now: 1000 + Int64(i) * 60) }
        return (outcome, record)
    }

    @Test func theFirstSendOpensTheWindowAndEachSendCounts() {
        let (_, record) = send(2)
        #expect(record?.windowEndsAt == 4600 && record?.sends == 2)
    }

    @Test func sendsBeyondTheWindowsLimitAreRefusedUntilItEnds() {
        let (_, record) = send(3)
        let (refused, kept) = Record.issue(record, codeMAC: other, policy: issuing, now: 2000)
        #expect(refused == .limited(retryAfter: 2600))
        #expect(kept == record)
        let (again, renewed) = Record.issue(record, codeMAC: other, policy: issuing, now: 4600)
        #expect(again == .issued(previous: record))
        #expect(renewed?.sends == 1 && renewed?.windowEndsAt == 8200)
    }

    @Test func aLimitOfZeroDisablesTheSendWindow() {
        let open = IssuePolicy(ttlSeconds: 300, cooldownSeconds: 30, maxSendsPerWindow: 0, windowSeconds: 3600)
        let (outcome, record) = send(50, policy: open)
        #expect(outcome == .issued(previous: Record(codeMAC: mac, expiresAt: 1000 + 48 * 60 + 300, attempts: 0, resendAt: 1000 + 48 * 60 + 30)))
        #expect(record?.sends == 0 && record?.windowEndsAt == 0)
    }

    @Test func wrongCodesCountAcrossResendsUntilTheWindowsLimit() {
        var record: Record? = nil
        var outcomes: [CheckOutcome] = []
        for round in 0..<3 {
            (_, record) = Record.issue(record, codeMAC: mac, policy: issuing, now: 1000 + Int64(round) * 60)
            for _ in 0..<2 {
                let result = Record.check(record, codeMAC: other, policy: checking, now: 1001 + Int64(round) * 60)
                outcomes.append(result.0)
                record = result.1
            }
        }
        #expect(outcomes == [.wrong, .wrong, .wrong, .wrong, .limited(retryAfter: 4600 - 1121), .limited(retryAfter: 4600 - 1121)])
        #expect(Record.check(record, codeMAC: mac, policy: checking, now: 1130).0 == .limited(retryAfter: 3470))
        #expect(Record.check(record, codeMAC: mac, policy: checking, now: 4600).0 == .absent)
    }

    @Test func theRightCodeKeepsTheCountersButEndsTheCodeAndCooldown() {
        var (_, record) = send(1)
        (_, record) = Record.check(record, codeMAC: other, policy: checking, now: 1001)
        let (outcome, after) = Record.check(record, codeMAC: mac, policy: checking, now: 1002)
        #expect(outcome == .verified)
        #expect(after == Record(codeMAC: [], expiresAt: 0, attempts: 0, resendAt: 0, windowEndsAt: 4600, sends: 1, failures: 1))
        #expect(Record.check(after, codeMAC: mac, policy: checking, now: 1003).0 == .absent)
        #expect(Record.issue(after, codeMAC: other, policy: issuing, now: 1003).0 == .issued(previous: after))
    }

    @Test func withdrawingUncountsTheSendButKeepsTheFailures() {
        let (_, first) = send(1)
        let (_, wronged) = Record.check(first, codeMAC: other, policy: checking, now: 1010)
        let (outcome, second) = Record.issue(wronged, codeMAC: other, policy: issuing, now: 1060)
        #expect(outcome == .issued(previous: wronged))
        var restored = Record.withdraw(second, codeMAC: other, restoring: wronged)
        #expect(restored == wronged)
        restored = Record.withdraw(Record.issue(nil, codeMAC: mac, policy: issuing, now: 1000).1, codeMAC: mac, restoring: nil)
        #expect(restored == nil)
    }

    @Test(arguments: [(limit: 3, events: 5, counted: 3), (limit: 1, events: 2, counted: 1), (limit: 10, events: 10, counted: 10)])
    func theClientCounterCountsExactlyTheLimitPerWindow(limit: Int, events: Int, counted: Int) {
        var record: Record? = nil, outcomes: [CountOutcome] = []
        for i in 0..<events {
            let (outcome, next) = Record.count(record, limit: limit, windowSeconds: 60, now: 1000 + Int64(i))
            outcomes.append(outcome)
            record = next
        }
        #expect(outcomes.filter { $0 == .counted }.count == counted)
        #expect(outcomes.dropFirst(counted).allSatisfy { if case .limited = $0 { true } else { false } })
        #expect(Record.count(record, limit: limit, windowSeconds: 60, now: 1060).0 == .counted)
        #expect(record?.deadAt == 1060)
    }

    @Test func anOpenWindowKeepsTheRecordAliveForTheSweep() {
        let (_, record) = send(1)
        #expect(record?.deadAt == 4600)
    }
}
