// A real redis-server from Debian's package, on a free loopback port and a Unix socket in a temp dir, stopped by its test.
import Foundation
import Stores

/// Configured on the command line only: no persistence (`--save ''`, `--appendonly no`), loopback only,
/// and a directory of its own (its Unix socket, and nodes.conf when it is a cluster node).
public final class RedisServer: @unchecked Sendable {
    public let directory: URL
    public let password: String?
    private let extra: [String]
    public private(set) var port: Int
    private var process: ServerProcess?

    public init(password: String? = nil, extra: [String] = []) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else {
            throw TestFailure("redis-server is missing: run Tests/setup.sh (make test does)")
        }
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("otp-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.password = password
        self.extra = extra
        port = try Loopback.freePort()
        try await start()
    }

    deinit { stop(); try? FileManager.default.removeItem(at: directory) }

    public var socketPath: String { directory.appendingPathComponent("redis.sock").path }
    /// The URL a site sets, password included.
    public var url: String { "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)" }
    public var unixURL: String { "unix://\(socketPath)\(password.map { "?password=\($0)" } ?? "")" }

    /// Starts it (again, on the same port and socket after `stop`) and waits until PING answers. Another
    /// program may take the free port first; then a new one is tried.
    public func start() async throws {
        for attempt in 1...3 {
            let server = try ServerProcess(["/usr/bin/redis-server", "--port", String(port), "--bind", "127.0.0.1",
                                            "--unixsocket", socketPath, "--unixsocketperm", "700", "--dir", directory.path,
                                            "--save", "", "--appendonly", "no", "--protected-mode", "no"]
                                           + (password.map { ["--requirepass", $0] } ?? []) + extra,
                                           output: directory.appendingPathComponent("redis.log"))
            do {
                try await server.waitWhileRunning { [self] in (try? command("PING")) == .simple("PONG") }
                process = server
                return
            } catch {
                server.stop(SIGKILL)
                guard attempt < 3, server.output.contains("Address already in use") else { throw error }
                port = try Loopback.freePort()
            }
        }
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    /// Freezes it: connections are still accepted by the kernel, but nothing answers (a stuck server).
    public func pause() { if let process { kill(process.pid, SIGSTOP) } }
    public func resume() { if let process { kill(process.pid, SIGCONT) } }

    /// One command on a fresh connection, through the project's own client.
    @discardableResult
    public func command(_ arguments: String...) throws -> RESPValue { try command(arguments) }

    public func command(_ arguments: [String]) throws -> RESPValue {
        let connection = try RedisConnection(.tcp(host: "127.0.0.1", port: port), username: nil, password: password, database: 0,
                                             connectTimeoutMilliseconds: 1000, readTimeoutMilliseconds: 10_000)
        return try connection.call(arguments.map { Array($0.utf8) })
    }

    /// Every key and every byte of every value, for the plaintext scan.
    public func dump() throws -> [(key: String, value: String)] {
        guard case .array(let keys?) = try command("KEYS", "*") else { throw TestFailure("KEYS failed") }
        return try keys.map { item in
            guard case .bulk(let bytes?) = item else { throw TestFailure("KEYS gave \(item)") }
            let key = String(decoding: bytes, as: UTF8.self)
            let value: RESPValue = switch try command("TYPE", key) {
            case .simple("hash"): try command("HGETALL", key)
            default: try command("GET", key)
            }
            return (key, Self.text(value))
        }
    }

    private static func text(_ value: RESPValue) -> String {
        switch value {
        case .bulk(let bytes?): String(decoding: bytes, as: UTF8.self)
        case .array(let items?): items.map(text).joined(separator: " ")
        case .integer(let n): String(n)
        case .simple(let s), .error(let s): s
        default: ""
        }
    }

    public var log: String { process?.output ?? ((try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? "") }
}

/// Three masters on one machine, made a cluster by `redis-cli --cluster create`, each owning a third of the slots.
public final class RedisCluster: @unchecked Sendable {
    public let nodes: [RedisServer]

    public init() async throws {
        var nodes: [RedisServer] = []
        for _ in 0..<3 {
            // The cluster bus port is named too: by default it is the port + 10000, which may be past 65535 or taken.
            nodes.append(try await RedisServer(extra: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                                       "--cluster-node-timeout", "5000", "--cluster-port", String(try Loopback.freePort())]))
        }
        self.nodes = nodes
        let create = Process()
        create.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        create.arguments = ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"]
        create.standardOutput = FileHandle.nullDevice
        try create.run()
        create.waitUntilExit()
        guard create.terminationStatus == 0 else { throw TestFailure("redis-cli --cluster create failed") }
        let deadline = Date().addingTimeInterval(120)
        while !nodes.allSatisfy({ Self.ready($0) }) {
            guard Date() < deadline else { throw TestFailure("the cluster did not become ready") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// `cluster_state:ok` on every node means every slot is served and every node knows the others.
    private static func ready(_ node: RedisServer) -> Bool {
        guard case .bulk(let info?) = try? node.command("CLUSTER", "INFO") else { return false }
        return String(decoding: info, as: UTF8.self).contains("cluster_state:ok")
    }

    /// A site names one node; the others are found through MOVED.
    public var url: String { nodes[0].url }

    public func stop() { nodes.forEach { $0.stop() } }
}
