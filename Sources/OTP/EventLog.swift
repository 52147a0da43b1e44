// The times of the last events on one key (codes sent to a mailbox, wrong codes tried for it, requests from a
// network), and the rule that caps them: an exact sliding window.
/// Ascending Unix seconds, at most `limit` of them: older ones cannot change a decision. A fixed window lets
/// twice its limit through around its boundary, and so do a two-bucket estimate and a token bucket; a log of
/// the last `limit` times does not.
public struct EventLog: Equatable, Sendable {
    public var times: [Int64]

    public init(times: [Int64] = []) { self.times = times }

    /// After this second no event in the log counts any more, so a store may drop it.
    public func deadAt(windowSeconds: Int) -> Int64 { (times.last ?? 0) + Int64(windowSeconds) + 1 }
}

extension EventLog {
    /// Counts an event now unless `limit` events already count. The clock has whole seconds, so an event at
    /// second t counts through second t + window: two events less than a window apart in real time are then never
    /// both out of it, and no interval of one window's length lets more than `limit` through. The wait is until
    /// enough of the oldest counted events have left for one more.
    public static func take(_ current: EventLog?, limit: Int, windowSeconds: Int, now: Int64) -> (CountOutcome, EventLog?) {
        let window = Int64(windowSeconds)
        let counted = (current?.times ?? []).filter { $0 >= now - window }
        if counted.count >= limit {
            let leaving = counted[counted.count - limit]
            return (.limited(retryAfter: Int(leaving + window + 1 - now)), current)
        }
        // Requests read their clock before they wait for the store's lock, so a later writer may bring an earlier
        // time: it goes in its place, keeping the times in order.
        var times = counted
        times.insert(now, at: times.lastIndex { $0 <= now }.map { $0 + 1 } ?? 0)
        return (.counted, EventLog(times: Array(times.suffix(limit))))
    }

    /// Takes back one event counted at `time` (a reservation the request did not use): the service counts
    /// before it acts, so that concurrent requests cannot all pass a check made before any of them counted.
    public static func giveBack(_ current: EventLog?, at time: Int64) -> EventLog? {
        guard var log = current, let index = log.times.lastIndex(of: time) else { return current }
        log.times.remove(at: index)
        return log.times.isEmpty ? nil : log
    }
}
