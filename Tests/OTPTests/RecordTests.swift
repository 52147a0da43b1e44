// The rules every store applies: cooldown, replacement, attempts, single use and withdrawal.
import Testing
@testable import OTP

@Suite struct RecordTests {
    let mac = [UInt8](repeating: 7, count: 32), other = [UInt8](repeating: 8, count: 32)
    let policy = IssuePolicy(ttlSeconds: 300, cooldownSeconds: 30)

    @Test func issuingStartsTheCooldownAndExpiry() {
        let (outcome, record) = Record.issue(nil, codeMAC: mac, policy: policy, now: 1000)
        #expect(outcome == .issued(previous: nil))
        #expect(record == Record(codeMAC: mac, expiresAt: 1300, attempts: 0, resendAt: 1030))
    }

    @Test func aResendWithinTheCooldownIsRefusedWithTheTimeLeft() {
        let current = Record(codeMAC: mac, expiresAt: 1300, attempts: 2, resendAt: 1030)
        let (outcome, record) = Record.issue(current, codeMAC: other, policy: policy, now: 1012)
        #expect(outcome == .coolingDown(retryAfter: 18))
        #expect(record == current)
    }

    @Test func aResendAfterTheCooldownReplacesTheCodeAndResetsAttempts() {
        let current = Record(codeMAC: mac, expiresAt: 1300, attempts: 4, resendAt: 1030)
        let (outcome, record) = Record.issue(current, codeMAC: other, policy: policy, now: 1030)
        #expect(outcome == .issued(previous: current))
        #expect(record == Record(codeMAC: other, expiresAt: 1330, attempts: 0, resendAt: 1060))
    }

    @Test func theRightCodeIsConsumed() {
        let current = Record(codeMAC: mac, expiresAt: 1300, attempts: 1, resendAt: 1030)
        let (outcome, record) = Record.check(current, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1100)
        #expect(outcome == .verified && record == nil)
    }

    @Test func aWrongCodeCountsAnAttempt() {
        let current = Record(codeMAC: mac, expiresAt: 1300, attempts: 1, resendAt: 1030)
        let (outcome, record) = Record.check(current, codeMAC: other, policy: CheckPolicy(maxAttempts: 5), now: 1100)
        #expect(outcome == .wrong && record?.attempts == 2)
    }

    @Test func spentAttemptsRefuseEvenTheRightCode() {
        let current = Record(codeMAC: mac, expiresAt: 1300, attempts: 5, resendAt: 1030)
        #expect(Record.check(current, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1100).0 == .exhausted)
    }

    @Test func anExpiredOrMissingCodeIsAbsent() {
        let current = Record(codeMAC: mac, expiresAt: 1300, attempts: 0, resendAt: 1030)
        #expect(Record.check(current, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1300).0 == .absent)
        #expect(Record.check(nil, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1300).0 == .absent)
    }

    @Test func withdrawingRestoresThePreviousStateOnlyIfTheCodeIsStillOurs() {
        let previous = Record(codeMAC: other, expiresAt: 900, attempts: 1, resendAt: 800)
        let ours = Record(codeMAC: mac, expiresAt: 1300, attempts: 0, resendAt: 1030)
        #expect(Record.withdraw(ours, codeMAC: mac, restoring: previous) == previous)
        #expect(Record.withdraw(ours, codeMAC: mac, restoring: nil) == nil)
        #expect(Record.withdraw(previous, codeMAC: mac, restoring: nil) == previous)
    }

    @Test func diesWhenBothExpiryAndCooldownHavePassed() {
        #expect(Record(codeMAC: mac, expiresAt: 1300, attempts: 0, resendAt: 1030).deadAt == 1300)
        #expect(Record(codeMAC: mac, expiresAt: 1010, attempts: 0, resendAt: 1030).deadAt == 1030)
    }
}
