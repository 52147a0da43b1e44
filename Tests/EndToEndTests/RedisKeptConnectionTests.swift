// A FastCGI process keeps its Redis connection: reused request after request, replaced when Redis closed it, and
// a command lost with its connection sent again only when that cannot run it twice.
import Foundation
import Testing
import TestSupport
@testable import Stores
@testable import OTP

/// A stand-in Redis on a Unix socket that follows a plan: for each connection, what to do with each command
/// (answer with these bytes, or hang up without answering). It records the commands it read.
final class ScriptedRedis: @unchecked Sendable {
    enum Step { case answer(String), hangUp }
    let path: String
    private let listener: Int32
    private let lock = NSLock()
    private var _commands: [[String]] = []
    private var _closed: [Bool] = []

    init(_ plan: [[Step]]) throws {
        path = NSTemporaryDirectory() + "otp-scripted-redis-\(UUID().uuidString.prefix(8)).sock"
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw TestFailure("scripted redis: bind \(path): \(errno)") }
        let thread = Thread { [self] in serve(plan) }
        thread.start()
    }

    deinit { close(listener); unlink(path) }

    var commands: [[String]] { lock.withLock { _commands } }
    var closed: [Bool] { lock.withLock { _closed } }

    private func serve(_ plan: [[Step]]) {
        for steps in plan {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            lock.withLock { _commands.append([]); _closed.append(false) }
            var buffer: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65_536)
            for step in steps {
                var command: RESPValue?
                while command == nil {
                    if let (value, next) = try? RESPValue.parse(buffer, at: 0) {
                        command = value
                        buffer.removeFirst(next)
                        break
                    }
                    let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                    guard n > 0 else { break }
                    buffer += chunk[..<n]
                }
                guard case .array(let words?) = command else { break }
                let name = words.first.flatMap { if case .bulk(let bytes?) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } } ?? "?"
                lock.withLock { _commands[_commands.count - 1].append(name) }
                guard case .answer(let reply) = step else { break }
                _ = Array(reply.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(connection)
            lock.withLock { _closed[_closed.count - 1] = true }
        }
    }
}

@Suite struct RedisKeptConnectionTests {
    private let key = RecordKey(hex: "kept")
    private let policy = CheckPolicy(maxAttempts: 5)
    private let wrong = "*1\r\n:2\r\n"

    private func store(_ redis: ScriptedRedis) -> RedisStore {
        RedisStore(endpoint: RedisEndpoint(address: .unix(path: redis.path)), readTimeoutMilliseconds: 10_000)
    }

    /// A check lost with its reply may have counted an attempt or used up the code: sending it again could answer
    /// 400 to the right code. So the request gets a 503 and the command is not sent twice.
    @Test func aCheckLostWithItsReplyIsA503AndNotSentAgain() throws {
        let redis = try ScriptedRedis([[.answer(wrong), .hangUp], [.answer(wrong)]])
        let store = store(redis)
        #expect(try store.check(key, codeMAC: [1], policy: policy, now: 1) == .wrong)
        let fault = #expect(throws: StoreFault.self) { try store.check(key, codeMAC: [1], policy: policy, now: 2) }
        #expect(fault?.kind == .busy)
        #expect(redis.commands == [["EVALSHA", "EVALSHA"]])
    }

    /// A withdrawal done twice is done once (it acts only while its own code is there), so it is sent again.
    @Test func aWithdrawalLostWithItsReplyIsSentAgainOnAFreshConnection() throws {
        let redis = try ScriptedRedis([[.answer(wrong), .hangUp], [.answer(":1\r\n")]])
        let store = store(redis)
        #expect(try store.check(key, codeMAC: [1], policy: policy, now: 1) == .wrong)
        try store.withdraw(key, codeMAC: [1], restoring: nil)
        #expect(redis.commands == [["EVALSHA", "EVALSHA"], ["EVALSHA"]])
    }

    /// A connection Redis closed while it was idle (its `timeout`, a restart) is noticed before a command goes out.
    @Test func aConnectionClosedWhileIdleIsReplacedBeforeTheCommand() throws {
        let redis = try ScriptedRedis([[.answer(wrong)], [.answer(wrong)]])
        let store = store(redis)
        #expect(try store.check(key, codeMAC: [1], policy: policy, now: 1) == .wrong)
        // The scripted server has hung up once it marks the connection closed: asked up to 5,000 times, 1 ms apart.
        for _ in 0..<5000 where redis.closed != [true] { usleep(1_000) }
        try #require(redis.closed == [true])
        #expect(try store.check(key, codeMAC: [1], policy: policy, now: 2) == .wrong)
        #expect(redis.commands == [["EVALSHA"], ["EVALSHA"]])
    }

    /// Connections a real redis-server has accepted since it started (this call's own included).
    private func connectionsReceived(_ redis: RedisServer) throws -> Int {
        guard case .bulk(let info?) = try redis.command("INFO", "stats") else { throw TestFailure("INFO failed") }
        let line = String(decoding: info, as: UTF8.self).split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_connections_received:") }
        return try #require(line.flatMap { Int($0.split(separator: ":")[1]) })
    }

    private func clients(_ redis: RedisServer) throws -> Int {
        guard case .bulk(let list?) = try redis.command("CLIENT", "LIST") else { throw TestFailure("CLIENT LIST failed") }
        return String(decoding: list, as: UTF8.self).split(whereSeparator: \.isNewline).count - 1
    }

    private func site(_ redis: RedisServer) throws -> Site {
        try Site(["OTP_STORE_URL": redis.url, "OTP_SECRET_KEY": "kept-connection-key-0123456789", "OTP_RESEND_COOLDOWN_SECONDS": "0",
                  "OTP_IP_MAX_SENDS_PER_WINDOW": "0"])
    }

    @Test func aResponderConnectsOnceForRequestAfterRequest() async throws {
        let redis = try await RedisServer()
        let site = try site(redis), responder = try Responder("generate", site: site)
        let before = try connectionsReceived(redis)
        for n in 0..<6 {
            #expect(try responder.exchange(responder.request(#"{"channel": "email", "identifier": "kept\#(n)@example.com"}"#)).status == 200)
        }
        // Its one connection, and the INFO call's own.
        #expect(try connectionsReceived(redis) - before == 2)
        #expect(try clients(redis) == 1)
    }

    @Test func aRestartedRedisIsReconnectedWithoutA503() async throws {
        let redis = try await RedisServer()
        let site = try site(redis), responder = try Responder("generate", site: site)
        let body = #"{"channel": "email", "identifier": "restart@example.com"}"#
        #expect(try responder.exchange(responder.request(body)).status == 200)
        redis.stop()
        try await redis.start()
        let again = try responder.exchange(responder.request(body))
        #expect(again.status == 200, "\(again.stderr)")
        #expect(try site.codes(for: "restart@example.com").count == 2)
    }

    /// Redis closes a connection that idles past its `timeout`, or that an operator kills: the same hang-up, done
    /// here at once with CLIENT KILL rather than waited for.
    @Test func aRedisThatClosesIdleConnectionsIsReconnectedWithoutA503() async throws {
        let redis = try await RedisServer()
        let site = try site(redis), responder = try Responder("generate", site: site)
        let body = #"{"channel": "email", "identifier": "idle@example.com"}"#
        #expect(try responder.exchange(responder.request(body)).status == 200)
        #expect(try clients(redis) == 1)
        #expect(try redis.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") == .integer(1))
        #expect(try clients(redis) == 0)
        let again = try responder.exchange(responder.request(body))
        #expect(again.status == 200, "\(again.stderr)")
        #expect(try site.codes(for: "idle@example.com").count == 2)
    }
}
