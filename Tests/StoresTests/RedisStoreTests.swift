// The Redis store against a real redis-server: its scripts follow Record's rules exactly, and its failures are 503s.
import Foundation
import Testing
import TestSupport
@testable import Stores
@testable import OTP
@testable import Digests

@Suite struct RedisStoreTests {
    @Test func everyScriptsDigestIsTheOneRedisComputes() async throws {
        let redis = try await RedisServer()
        for script in RedisScripts.all {
            guard case .bulk(let digest?) = try redis.command("SCRIPT", "LOAD", script.source) else { throw TestFailure("SCRIPT LOAD failed") }
            #expect(String(decoding: digest, as: UTF8.self) == script.sha1, "\(script.name): paste SCRIPT LOAD's digest into RedisScripts.swift")
        }
    }

    /// The scripts are a second implementation of Record's and EventLog's rules, so both run the same sequences:
    /// a seeded random walk over every transition, and time jumping past every deadline.
    @Test(arguments: [1, 2, 3, 4]) func theScriptsFollowTheSwiftRulesStepForStep(seed: UInt64) async throws {
        let redis = try await RedisServer()
        let store = RedisStore(endpoint: RedisEndpoint(address: .unix(path: redis.socketPath)), prefix: "walk:")
        var random = SplitMix(seed: seed)
        let start = Int64(Date().timeIntervalSince1970)
        for walk in 0..<8 {
            let key = RecordKey(hex: "walk\(seed)-\(walk)"), logKey = RecordKey(hex: "log\(seed)-\(walk)")
            let issuePolicy = IssuePolicy(ttlSeconds: 5 + random.next(20), cooldownSeconds: random.next(3) == 0 ? 0 : 5 + random.next(10))
            let checkPolicy = CheckPolicy(maxAttempts: 1 + random.next(4))
            let window = 5 + random.next(30)
            var model: Record?, log: EventLog?, now = start, macs: [[UInt8]] = [], lastIssue: (mac: [UInt8], previous: Record?)?
            var taken: [Int64] = []
            for step in 0..<60 {
                now += Int64([0, 0, 1, 3, 7, 30][random.next(6)])
                let what = "seed \(seed) walk \(walk) step \(step)"
                switch random.next(6) {
                case 0:
                    let mac = Array(SHA256.hash(Array("\(walk)-\(step)".utf8)))
                    macs.append(mac)
                    let (expected, next) = Record.issue(model, codeMAC: mac, policy: issuePolicy, now: now)
                    let got = try store.issue(key, codeMAC: mac, policy: issuePolicy, now: now)
                    try #require(Self.normal(got, now) == Self.normal(expected, now), "\(what): issue")
                    if case .issued(let previous) = expected { lastIssue = (mac, previous) }
                    model = next
                case 1, 2:
                    let mac = macs.isEmpty || random.next(2) == 0 ? Array(repeating: 7, count: 32) : macs[macs.count - 1 - random.next(min(2, macs.count))]
                    let (expected, next) = Record.check(model, codeMAC: mac, policy: checkPolicy, now: now)
                    try #require(try store.check(key, codeMAC: mac, policy: checkPolicy, now: now) == expected, "\(what): check")
                    model = next
                case 3:
                    guard let (mac, previous) = lastIssue else { continue }
                    model = Record.withdraw(model, codeMAC: mac, restoring: previous)
                    try store.withdraw(key, codeMAC: mac, restoring: previous)
                case 4:
                    // A request's clock may be read a little before a later one's takes the lock.
                    let limit = 1 + random.next(4), at = now - Int64(random.next(3))
                    let (expected, next) = EventLog.take(log, limit: limit, windowSeconds: window, now: at)
                    try #require(try store.take(logKey, limit: limit, windowSeconds: window, now: at) == expected, "\(what): take")
                    if expected == .counted { taken.append(at) }
                    log = next
                default:
                    guard let time = taken.popLast() else { continue }
                    log = EventLog.giveBack(log, at: time)
                    try store.giveBack(logKey, at: time, windowSeconds: window)
                }
                try #require(Self.normal(try store.record(key), now) == Self.normal(model, now), "\(what): the stored record")
                try #require(Self.normal(try store.eventLog(logKey), window, now) == Self.normal(log, window, now), "\(what): the stored log")
            }
        }
    }

    /// What a record means at `now`: a dead deadline is the same as none (Redis drops a record once nothing in
    /// it is alive; the file store keeps it until a sweep), so both are compared through this.
    static func normal(_ record: Record?, _ now: Int64) -> Record? {
        guard var r = record, r.deadAt > now else { return nil }
        if r.expiresAt <= now { r.codeMAC = []; r.expiresAt = 0; r.attempts = 0 }
        if r.resendAt <= now { r.resendAt = 0 }
        return r
    }

    /// An event log's times that still count at `now`.
    static func normal(_ log: EventLog?, _ window: Int, _ now: Int64) -> [Int64] {
        (log?.times ?? []).filter { $0 >= now - Int64(window) }
    }

    static func normal(_ outcome: IssueOutcome, _ now: Int64) -> IssueOutcome {
        if case .issued(let previous) = outcome { return .issued(previous: normal(previous, now)) }
        return outcome
    }

    @Test func everyRecordExpiresInRedisByItself() async throws {
        let redis = try await RedisServer()
        let store = RedisStore(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: redis.port)), prefix: "ttl:")
        let now = Int64(Date().timeIntervalSince1970), key = RecordKey(hex: "ttl")
        _ = try store.issue(key, codeMAC: Array(repeating: 1, count: 32), policy: IssuePolicy(ttlSeconds: 300, cooldownSeconds: 30), now: now)
        _ = try store.take(RecordKey(hex: "client"), limit: 5, windowSeconds: 600, now: now)
        for (name, longest) in [("ttl:{ttl}", 300_000), ("ttl:{client}", 601_000)] {
            guard case .integer(let ttl) = try redis.command("PTTL", name) else { throw TestFailure("no PTTL for \(name)") }
            #expect((1...Int64(longest)).contains(ttl), "\(name) has PTTL \(ttl)")
        }
    }

    /// An unknown identifier's check writes as a wrong code's does, so with `appendfsync always` both append to the
    /// AOF (and wait for its fsync), and it leaves no key behind; a used code's record is written back as it was.
    @Test func aCheckWithoutALiveCodeWritesAsAWrongCodeDoes() async throws {
        let redis = try await RedisServer(extra: ["--appendonly", "yes", "--appendfsync", "always"])
        let store = RedisStore(endpoint: RedisEndpoint(address: .unix(path: redis.socketPath)), prefix: "same:")
        let now = Int64(Date().timeIntervalSince1970), mac = Array(repeating: UInt8(1), count: 32), wrong = Array(repeating: UInt8(2), count: 32)
        let policy = CheckPolicy(maxAttempts: 5), known = RecordKey(hex: "known"), used = RecordKey(hex: "used")
        for key in [known, used] { _ = try store.issue(key, codeMAC: mac, policy: IssuePolicy(ttlSeconds: 300, cooldownSeconds: 60), now: now) }
        #expect(try store.check(used, codeMAC: mac, policy: policy, now: now) == .verified)
        func appended() throws -> Int {
            guard case .bulk(let info?) = try redis.command("INFO", "persistence"),
                  let line = String(decoding: info, as: UTF8.self).split(separator: "\r\n").first(where: { $0.hasPrefix("aof_current_size:") }),
                  let size = Int(line.dropFirst("aof_current_size:".count)) else { throw TestFailure("no aof_current_size") }
            return size
        }
        let keys = try redis.dump().map(\.key).sorted()
        var sizes = [try appended()]
        #expect(try store.check(known, codeMAC: wrong, policy: policy, now: now) == .wrong)
        sizes.append(try appended())
        #expect(try store.check(RecordKey(hex: "unknown"), codeMAC: wrong, policy: policy, now: now) == .absent)
        sizes.append(try appended())
        #expect(try store.check(used, codeMAC: wrong, policy: policy, now: now) == .absent)
        sizes.append(try appended())
        #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 < $1 }, "AOF sizes \(sizes)")
        #expect(try redis.dump().map(\.key).sorted() == keys)
    }

    /// Down, stuck, refusing the password, out of memory, a read-only replica: each is a temporary fault (503)
    /// whose log line names the cause, and none hangs longer than its timeout.
    @Test func eachFailureIsATemporaryFaultNamingItsCause() async throws {
        let redis = try await RedisServer(password: "right-password")
        let endpoint = RedisEndpoint(address: .tcp(host: "127.0.0.1", port: redis.port), password: "right-password")
        func fault(_ store: RedisStore) -> StoreFault? {
            do { _ = try store.take(RecordKey(hex: "f"), limit: 5, windowSeconds: 60, now: 1); return nil } catch { return error }
        }
        var wrong = endpoint
        wrong.password = "wrong-password"
        let refused = try #require(fault(RedisStore(endpoint: wrong)))
        #expect(refused.busy && refused.description.contains("AUTH refused") && !refused.description.contains("password\""))
        #expect(!refused.description.contains("wrong-password"))

        try redis.command("CONFIG", "SET", "maxmemory", "1")
        let full = try #require(fault(RedisStore(endpoint: endpoint)))
        #expect(full.busy && full.description.contains("out of memory"), "\(full)")
        try redis.command("CONFIG", "SET", "maxmemory", "0")
        #expect(fault(RedisStore(endpoint: endpoint)) == nil)

        let replica = try await RedisServer(extra: ["--replicaof", "127.0.0.1", String(redis.port), "--masterauth", "right-password"])
        let readOnly = try #require(fault(RedisStore(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: replica.port)))))
        #expect(readOnly.busy && readOnly.description.contains("read-only replica"), "\(readOnly)")

        redis.pause()
        defer { redis.resume() }
        let began = Date()
        let stuck = try #require(fault(RedisStore(endpoint: endpoint, readTimeoutMilliseconds: 300)))
        #expect(Date().timeIntervalSince(began) >= 0.299, "the deadline is kept in whole milliseconds, so it may end up to 1 ms early")
        #expect(stuck.busy && stuck.description.contains("no reply within 300 ms"), "\(stuck)")
        redis.resume()

        redis.stop()
        let down = try #require(fault(RedisStore(endpoint: endpoint)))
        #expect(down.busy && down.description.contains("unreachable") && down.description.contains("refused"), "\(down)")
    }

    /// Asked of a node that does not own its slot, a record is answered with MOVED and the store follows it.
    /// While the slot moves between two nodes, the old owner answers ASK for a record it does not hold, and the
    /// store follows that with ASKING to the new one.
    @Test func aClusterRecordIsFoundThroughMOVEDAndASK() async throws {
        let cluster = try await RedisCluster()
        defer { cluster.stop() }
        let key = RecordKey(hex: "slot-test"), now = Int64(Date().timeIntervalSince1970), mac = Array(repeating: UInt8(9), count: 32)
        let owner = try #require(try cluster.nodes.first { if case .integer = try $0.command("EXISTS", "moved:{slot-test}") { true } else { false } })
        let others = cluster.nodes.filter { $0 !== owner }
        func store(_ node: RedisServer, _ prefix: String) -> RedisStore {
            RedisStore(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: node.port)), prefix: prefix)
        }
        #expect(try store(others[0], "moved:").issue(key, codeMAC: mac, policy: IssuePolicy(ttlSeconds: 60, cooldownSeconds: 0), now: now)
                == .issued(previous: nil))
        #expect(try owner.command("EXISTS", "moved:{slot-test}") == .integer(1))
        #expect(try store(others[1], "moved:").check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: now) == .verified)

        guard case .integer(let slot) = try owner.command("CLUSTER", "KEYSLOT", "ask:{slot-test}") else { throw TestFailure("KEYSLOT") }
        func id(_ node: RedisServer) throws -> String {
            guard case .bulk(let bytes?) = try node.command("CLUSTER", "MYID") else { throw TestFailure("MYID") }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try others[0].command("CLUSTER", "SETSLOT", String(slot), "IMPORTING", id(owner)) == .simple("OK"))
        #expect(try owner.command("CLUSTER", "SETSLOT", String(slot), "MIGRATING", id(others[0])) == .simple("OK"))
        #expect(try store(owner, "ask:").issue(key, codeMAC: mac, policy: IssuePolicy(ttlSeconds: 60, cooldownSeconds: 0), now: now)
                == .issued(previous: nil))
        guard case .error(let answer) = try owner.command("EXISTS", "ask:{slot-test}") else { throw TestFailure("the old owner holds the record") }
        #expect(answer.hasPrefix("ASK \(slot) 127.0.0.1:\(others[0].port)"))
        #expect(try store(owner, "ask:").check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: now) == .verified)
    }

    /// A listener whose accept queue is full drops new connection attempts, as a host that has gone away
    /// would: the connect gives up at its timeout, and the request can answer 503.
    @Test func aConnectThatGetsNoAnswerGivesUpAtTheConnectTimeout() throws {
        let port = try Loopback.freePort()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(port).bigEndian,
                                  sin_addr: in_addr(s_addr: in_addr_t(0x7f00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 } }
        try #require(bound && listen(listener, 0) == 0)
        // Fill the accept queue (a backlog of 0 holds one connection) with connections nobody accepts.
        let fillers = (0..<4).compactMap { _ in Loopback.connectionAttempt(port: port) }
        defer { fillers.forEach { close($0) } }
        let store = RedisStore(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)), connectTimeoutMilliseconds: 300)
        let began = Date()
        #expect {
            _ = try store.take(RecordKey(hex: "c"), limit: 1, windowSeconds: 1, now: 1)
        } throws: { error in
            guard let fault = error as? StoreFault else { return false }
            return fault.busy && fault.description.contains("connect: no answer within 300 ms")
        }
        #expect(Date().timeIntervalSince(began) >= 0.299, "the deadline is kept in whole milliseconds, so it may end up to 1 ms early")
    }

    @Test func aClusterRedirectionIsFollowedOnce() {
        let here = RedisEndpoint.Address.tcp(host: "127.0.0.1", port: 7000)
        #expect(RedisStore.redirection("MOVED 3999 127.0.0.1:6381", from: here)! == (false, .tcp(host: "127.0.0.1", port: 6381)))
        #expect(RedisStore.redirection("ASK 3999 [::1]:6381", from: here)! == (true, .tcp(host: "::1", port: 6381)))
        #expect(RedisStore.redirection("MOVED 3999 :6390", from: here)! == (false, .tcp(host: "127.0.0.1", port: 6390)))
        // Words are split on the space byte: a mark after it does not join it to the slot.
        #expect(RedisStore.redirection("MOVED \u{301}3999 127.0.0.1:6381", from: here).map { $0 == (false, .tcp(host: "127.0.0.1", port: 6381)) } == true)
        #expect(RedisStore.redirection("ERR unknown command", from: here) == nil)
        #expect(RedisStore.redirection("MOVED 3999 127.0.0.1:99999", from: here) == nil)
    }
}

extension Loopback {
    /// A non-blocking connect left in flight (or done), for filling a listener's queue; the caller closes it.
    static func connectionAttempt(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(port).bigEndian,
                                  sin_addr: in_addr(s_addr: in_addr_t(0x7f00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return fd
    }
}

/// A small seeded generator, so that a failing walk can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

/// Reading back what the scripts left, to compare it with the Swift rules' result: for these tests only.
extension RedisStore {
    /// A record as Redis holds it.
    func record(_ key: RecordKey) throws(StoreFault) -> Record? {
        let reply = try call([Array("HMGET".utf8), Array(name(key).utf8)] + ["m", "e", "a", "r"].map { Array($0.utf8) },
                             key: name(key), idempotent: true)
        guard case .array(let fields?) = reply, fields.count == 4 else { throw StoreFault("redis HMGET: unexpected reply \(reply)") }
        if case .bulk(nil) = fields[1] { return nil }
        return try record(fields)
    }

    /// Reads an event log back as the scripts left it.
    func eventLog(_ key: RecordKey) throws(StoreFault) -> EventLog? {
        let reply = try call([Array("GET".utf8), Array(name(key).utf8)], key: name(key), idempotent: true)
        guard case .bulk(let bytes) = reply else { throw StoreFault("redis GET: unexpected reply \(reply)") }
        guard let bytes else { return nil }
        return EventLog(times: bytes.split(separator: UInt8(ascii: " ")).compactMap { Int64(String(decoding: $0, as: UTF8.self)) })
    }
}
