// Two real Apaches, two sets of SetEnv, one Redis (or a three-node Redis Cluster): one set of codes, exactly once.
import Foundation
import Testing
import TestSupport
@testable import Stores

/// Each Apache stands for one web server behind a load balancer: its own run directory and outbox, and the
/// same OTP_STORE_URL. A secret key is set on both, as the README recommends for production.
struct TwoServers {
    let first: LocalApache
    let second: LocalApache

    static func on(_ url: String, extra: [String: String] = [:]) async throws -> TwoServers {
        // The 29 verifies of a used code count as failures: the window's limit holds them all (see proveOneSetOfCodes).
        let settings = RedisContractTests.patient(url).merging(["OTP_SECRET_KEY": "one-secret-for-every-server-here",
                                                                "OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "30"]) { $1 }
            .merging(extra) { $1 }
        let first = try await LocalApache.start(settings: settings, sharedHosting: false)
        do {
            return TwoServers(first: first, second: try await LocalApache.start(settings: settings, sharedHosting: false))
        } catch {
            first.stop()
            throw error
        }
    }

    func stop() { first.stop(); second.stop() }

    /// The newest code, from whichever server sent it.
    func code(for email: String) throws -> String {
        try (try? first.outbox.code(for: email)) ?? second.outbox.code(for: email)
    }

    func messages(to email: String) throws -> Int { try first.outbox.messages(to: email).count + second.outbox.messages(to: email).count }

    /// `count` requests at once, alternating between the two servers.
    func parallel(_ count: Int, _ endpoint: String, _ fields: [String: String]) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<count {
                let server = i % 2 == 0 ? first : second
                group.addTask { try await server.post(endpoint, fields).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// A code sent through one server verifies through the other; 30 verifies of one right code split across
    /// both give one 200; 30 sends to one identifier split across both give one 200 and one message.
    func proveOneSetOfCodes() async throws {
        let email = uniqueEmail("cross")
        #expect(try await first.post("generate", ["channel": "email", "identifier": email]).status == 200)
        let crossed = try await second.post("verify", ["channel": "email", "identifier": email, "code": try first.outbox.code(for: email)])
        #expect(crossed.status == 200 && crossed.detail == "Verified")

        let racing = uniqueEmail("race")
        #expect(try await second.post("generate", ["channel": "email", "identifier": racing]).status == 200)
        let verifies = try await parallel(30, "verify", ["channel": "email", "identifier": racing, "code": try code(for: racing)])
        #expect(verifies.filter { $0 == 200 }.count == 1 && verifies.filter { $0 == 400 }.count == 29, "\(verifies)")

        let sending = uniqueEmail("send")
        let sends = try await parallel(30, "generate", ["channel": "email", "identifier": sending])
        #expect(sends.filter { $0 == 200 }.count == 1 && sends.filter { $0 == 429 }.count == 29, "\(sends)")
        #expect(try messages(to: sending) == 1)
    }
}

@Suite struct RedisApacheTests {
    @Test func twoApachesOnOneRedisShareOneSetOfCodes() async throws {
        let redis = try await RedisServer()
        let servers = try await TwoServers.on(redis.url)
        defer { servers.stop() }
        try await servers.proveOneSetOfCodes()
    }

    /// The per-client counter lives in Redis too: 100 generates from one address, split across both servers
    /// all at once, give exactly OTP_IP_MAX_SENDS_PER_WINDOW sends in all.
    @Test func bothServersCountOneClientAgainstOneLimit() async throws {
        let redis = try await RedisServer()
        let servers = try await TwoServers.on(redis.url, extra: ["OTP_IP_MAX_SENDS_PER_WINDOW": "30"])
        defer { servers.stop() }
        let emails = (0..<100).map { _ in uniqueEmail("ip") }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, email) in emails.enumerated() {
                let server = index % 2 == 0 ? servers.first : servers.second
                group.addTask { try await server.post("generate", ["channel": "email", "identifier": email]).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 30 && statuses.filter { $0 == 429 }.count == 70, "\(statuses)")
        #expect(try emails.reduce(0) { $0 + (try servers.messages(to: $1)) } == 30)
    }

    /// The Apache rows of the contract, through an Apache whose store is Redis.
    @Test func theApacheRowsPassOnRedis() async throws {
        let redis = try await RedisServer()
        let apache = try await LocalApache.start(settings: RedisContractTests.patient(redis.url).merging(["OTP_RESEND_COOLDOWN_SECONDS": "3600"]) { $1 },
                                                 sharedHosting: false)
        defer { apache.stop() }
        try await LocalApache.$current.withValue(apache) {
            let rows = ApacheTests()
            try await rows.aSentCodeArrivesInTheOutboxAndVerifies()
            try await rows.aWrongCodeIs400()
            try await rows.getIs405WithAllow(endpoint: "verify")
            try await rows.aBodyAbove16KiBIs413(size: 16 * 1024 + 1)
            try await rows.anotherContentTypeIs415()
            try await ApacheCooldownTests().aSecondSendWithinTheCooldownIs429WithRetryAfter()
            try await rows.aBrowserGetsAPageWithTheCheckForm()
        }
        #expect(try redis.command("DBSIZE") != .integer(0))
    }

    /// The same proof on a Redis Cluster of three masters: the servers name one node and follow MOVED to the others.
    @Test func twoApachesOnARedisClusterShareOneSetOfCodes() async throws {
        let cluster = try await RedisCluster()
        defer { cluster.stop() }
        let servers = try await TwoServers.on(cluster.url)
        defer { servers.stop() }
        try await servers.proveOneSetOfCodes()
        // Records landed on more than one node, so redirections were followed.
        let sizes = try cluster.nodes.map { try $0.command("DBSIZE") }
        #expect(sizes.filter { $0 != .integer(0) }.count >= 2, "\(sizes)")
    }
}
