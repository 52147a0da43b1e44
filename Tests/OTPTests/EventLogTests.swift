// The exact sliding window of every limit (sends per mailbox, wrong codes per mailbox, requests per network): at
// its edges with a stepped clock, and against the fixed window it replaces under steady guessing.
import Testing
@testable import OTP

@Suite struct EventLogTests {
    /// Takes one event at each of `times` with `limit` per `window`, and returns the outcomes and the final log.
    func run(_ times: [Int64], limit: Int, window: Int) -> ([CountOutcome], EventLog?) {
        var log: EventLog?, outcomes: [CountOutcome] = []
        for time in times {
            let (outcome, next) = EventLog.take(log, limit: limit, windowSeconds: window, now: time)
            outcomes.append(outcome)
            log = next
        }
        return (outcomes, log)
    }

    /// An event at second t counts through second t + window: the first one after is the first let through, and
    /// its wait says so exactly.
    @Test func theWindowHoldsToItsLastSecondAndReleasesOnTheNext() {
        let (outcomes, _) = run([100, 101, 102, 103, 104, 105, 105], limit: 3, window: 4)
        #expect(outcomes == [.counted, .counted, .counted, .limited(retryAfter: 2), .limited(retryAfter: 1), .counted, .limited(retryAfter: 1)])
    }

    /// A fixed window with a 4 s length and a limit of 3 lets six wrong codes through in 1.85 s around its
    /// boundary. Here any run of events is checked: no window's length of seconds holds more than 3.
    @Test(arguments: [1, 2, 3, 4, 5])
    func noIntervalOfOneWindowLetsMoreThanTheLimitThrough(step: Int) {
        let times = (0..<200).map { 1_000 + Int64($0 * step / 3) }
        let (outcomes, _) = run(times, limit: 3, window: 4)
        let counted = zip(times, outcomes).filter { $0.1 == .counted }.map(\.0)
        for (i, start) in counted.enumerated() {
            // Events at whole seconds t and t + 4 may be 3.01 s apart in real time: both within one window.
            #expect(counted[i...].prefix { $0 <= start + 4 }.count <= 3, "from \(start)")
        }
        #expect(counted.count >= 3)
    }

    /// A fixed window that opens at the first event lets an attacker who waits for its end make the limit's worth
    /// of guesses twice in a row (one, a wait, four, then five more a second later): nine in two seconds. The
    /// log lets five through in any window.
    @Test func anAttackerTimingAWindowsEndGetsNoMoreThanTheLimit() {
        let attempts: [Int64] = [0] + Array(repeating: 9, count: 6) + Array(repeating: 10, count: 6)
        var fixedEnd: Int64 = -1, fixedCount = 0, fixed: [Int64] = []
        for time in attempts {
            if time >= fixedEnd { fixedEnd = time + 10; fixedCount = 0 }
            if fixedCount < 5 { fixedCount += 1; fixed.append(time) }
        }
        let (outcomes, _) = run(attempts, limit: 5, window: 10)
        let sliding = zip(attempts, outcomes).filter { $0.1 == .counted }.map(\.0)
        func worst(_ events: [Int64]) -> Int { events.map { start in events.filter { $0 >= start && $0 <= start + 9 }.count }.max() ?? 0 }
        #expect(worst(fixed) == 9)
        #expect(worst(sliding) == 5)
    }

    @Test func theLogKeepsOnlyAsManyTimesAsTheLimitAndDiesAfterItsLastEvent() {
        let (_, log) = run([10, 20, 30, 40, 50], limit: 2, window: 100)
        #expect(log == EventLog(times: [10, 20]))
        let (_, later) = run([10, 20, 200, 210, 220], limit: 2, window: 100)
        #expect(later == EventLog(times: [200, 210]) && later?.deadAt(windowSeconds: 100) == 311)
    }

    /// Requests read the clock before they wait for the lock: an earlier time counted after a later one goes in
    /// its place, so the log stays in order (a file store reads a log out of order as corrupt).
    @Test func anEarlierTimeCountedLateGoesInItsPlace() {
        let (outcomes, log) = run([100, 102, 101, 102, 99], limit: 10, window: 100)
        #expect(outcomes.allSatisfy { $0 == .counted })
        #expect(log == EventLog(times: [99, 100, 101, 102, 102]))
    }

    @Test func aGivenBackEventNoLongerCounts() {
        let (_, log) = run([10, 11], limit: 2, window: 100)
        #expect(EventLog.take(log, limit: 2, windowSeconds: 100, now: 12).0 == .limited(retryAfter: 99))
        let back = EventLog.giveBack(log, at: 11)
        #expect(back == EventLog(times: [10]))
        #expect(EventLog.take(back, limit: 2, windowSeconds: 100, now: 12).0 == .counted)
        #expect(EventLog.giveBack(back, at: 10) == nil && EventLog.giveBack(back, at: 99) == back)
    }
}
