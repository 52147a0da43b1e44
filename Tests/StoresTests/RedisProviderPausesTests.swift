// Failed phone providers recorded in a real Redis: one key per provider, under the site's prefix, read by any process.
import Foundation
import Testing
import TestSupport
@testable import Stores
import OTP

@Suite struct RedisProviderPausesTests {
    @Test func aFailureIsSeenByAnotherConnectionUntilThePauseIsOver() async throws {
        let redis = try await RedisServer()
        let endpoint = RedisEndpoint(address: .unix(path: redis.socketPath))
        var lines: [String] = []
        RedisProviderPauses(store: RedisStore(endpoint: endpoint, prefix: "site1:"), log: { lines.append($0) }).recordFailure("sms/telnyx", now: 1000)
        let reader = RedisProviderPauses(store: RedisStore(endpoint: endpoint, prefix: "site1:"), log: { lines.append($0) })
        #expect(reader.paused(["sms/telnyx", "sms/kannel"], seconds: 60, now: 1059) == ["sms/telnyx"])
        #expect(reader.paused(["sms/telnyx"], seconds: 60, now: 1060) == [])
        #expect(RedisProviderPauses(store: RedisStore(endpoint: endpoint, prefix: "site2:"), log: { _ in })
            .paused(["sms/telnyx"], seconds: 60, now: 1001) == [])
        #expect(lines.isEmpty)
        guard case .integer(let ttl) = try redis.command("TTL", "site1:provider:sms-telnyx") else { throw TestFailure("no TTL") }
        #expect((1...3600).contains(ttl))
    }

    @Test func anUnreachableRedisIsLoggedAndPausesNothing() {
        var lines: [String] = []
        let pauses = RedisProviderPauses(store: RedisStore(endpoint: RedisEndpoint(address: .unix(path: "/nonexistent/redis.sock"))),
                                         log: { lines.append($0) })
        pauses.recordFailure("sms/telnyx", now: 1000)
        #expect(pauses.paused(["sms/telnyx"], seconds: 60, now: 1001) == [])
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("provider pause: cannot") })
    }
}
