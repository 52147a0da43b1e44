// Provider pauses held in memory, for tests of failover that need no store.
import OTP

public final class MemoryProviderPauses: ProviderPauses {
    /// Each provider's last recorded failure time.
    public private(set) var failures: [String: Int64] = [:]
    /// How many times `paused` was asked, so a test can see that one provider costs no pause lookup.
    public private(set) var lookups = 0

    public init() {}

    public func paused(_ providers: [String], seconds: Int, now: Int64) -> Set<String> {
        lookups += 1
        return Set(providers.filter { failures[$0].map { now - $0 < Int64(seconds) } ?? false })
    }

    public func recordFailure(_ provider: String, now: Int64) { failures[provider] = now }
}
