// The store for more than one web server: every record in one Redis (or Valkey, or a Redis Cluster), moved by Lua scripts.
import Digests
import OTP
import Platform

/// Each transition is one EVALSHA (EVAL once when the node answers NOSCRIPT), so it is one round trip and
/// atomic across any number of servers. A record's key is `prefix{hmac}`: the braces make the HMAC the hash
/// tag, so whatever a record ever needs sits in one cluster slot. A MOVED or ASK answer is followed once.
/// Connections are opened on first use and live as long as the store: one request under CGI, the whole process
/// under FastCGI, where a kept connection that broke is replaced (see `call`).
public final class RedisStore: OTPStore {
    let endpoint: RedisEndpoint
    let prefix: String
    private let connectTimeoutMilliseconds: Int
    private let readTimeoutMilliseconds: Int
    private var connections: [RedisEndpoint.Address: RedisConnection] = [:]

    public init(endpoint: RedisEndpoint, prefix: String = "otp:", connectTimeoutMilliseconds: Int = 250, readTimeoutMilliseconds: Int = 1000) {
        self.endpoint = endpoint
        self.prefix = prefix
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
    }

    /// For `--check`: a PING through the connection a request would make (AUTH and SELECT included).
    public func ping() throws(StoreFault) {
        _ = try call([Array("PING".utf8)], key: prefix)
    }

    // MARK: OTPStore

    public func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome {
        let reply = try integers(run(RedisScripts.issue, key: name(key),
                                     text(Hex.encode(codeMAC), now, policy.ttlSeconds, policy.cooldownSeconds)), script: "issue")
        switch reply.first {
        case .integer(1)?:
            return .issued(previous: reply.count == 5 ? try record(Array(reply.dropFirst())) : nil)
        case .integer(3)? where reply.count == 2: return .coolingDown(retryAfter: try number(reply[1]))
        default: throw StoreFault("redis script issue: unexpected reply \(reply)")
        }
    }

    public func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome {
        let reply = try integers(run(RedisScripts.check, key: name(key), text(Hex.encode(codeMAC), now, policy.maxAttempts)), script: "check")
        switch reply.first {
        case .integer(1)?: return .verified
        case .integer(2)?: return .wrong
        case .integer(3)?: return .exhausted
        case .integer(4)?: return .absent
        default: throw StoreFault("redis script check: unexpected reply \(reply)")
        }
    }

    public func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault) {
        var arguments = text(Hex.encode(codeMAC), Clock.unixSeconds(), previous == nil ? 0 : 1)
        if let previous { arguments += text(Hex.encode(previous.codeMAC), previous.expiresAt, previous.attempts, previous.resendAt) }
        _ = try run(RedisScripts.withdraw, key: name(key), arguments, idempotent: true)
    }

    public func take(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome {
        let reply = try integers(run(RedisScripts.take, key: name(key), text(now, limit, windowSeconds)), script: "take")
        switch reply.first {
        case .integer(1)?: return .counted
        case .integer(2)? where reply.count == 2: return .limited(retryAfter: try number(reply[1]))
        default: throw StoreFault("redis script take: unexpected reply \(reply)")
        }
    }

    public func giveBack(_ key: RecordKey, at time: Int64, windowSeconds: Int) throws(StoreFault) {
        _ = try run(RedisScripts.giveBack, key: name(key), text(time, windowSeconds))
    }

    // MARK: Records as Redis holds them

    /// The key of a record: the HMAC is the hash tag, and nothing in it is an identifier.
    func name(_ key: RecordKey) -> String { "\(prefix){\(key.hex)}" }

    func record(_ fields: [RESPValue]) throws(StoreFault) -> Record {
        func bytes(_ value: RESPValue) throws(StoreFault) -> [UInt8] {
            switch value {
            case .bulk(let bytes?): return bytes
            case .integer(let n): return Array(String(n).utf8)
            default: throw StoreFault("redis record field is \(value)")
            }
        }
        let hex = String(decoding: try bytes(fields[0]), as: UTF8.self)
        guard let mac = Hex.decode(Substring(hex)), mac.isEmpty || mac.count == SHA256.digestSize else {
            throw StoreFault("redis record holds a malformed code MAC")
        }
        var numbers: [Int64] = []
        for field in fields.dropFirst() {
            guard let n = Int64(String(decoding: try bytes(field), as: UTF8.self)) else { throw StoreFault("redis record holds a malformed number") }
            numbers.append(n)
        }
        return Record(codeMAC: mac, expiresAt: numbers[0], attempts: Int(numbers[1]), resendAt: numbers[2])
    }

    // MARK: Calls

    /// EVALSHA, then EVAL if this node has not seen the script yet (a restart, a failover, a new cluster node).
    /// `idempotent`: running the script twice leaves what running it once does (see `call`).
    func run(_ script: RedisScript, key: String, _ arguments: [[UInt8]], idempotent: Bool = false) throws(StoreFault) -> RESPValue {
        let tail = [Array("1".utf8), Array(key.utf8)] + arguments
        return try call([Array("EVALSHA".utf8), Array(script.sha1.utf8)] + tail, key: key,
                        fallback: [Array("EVAL".utf8), Array(script.source.utf8)] + tail, idempotent: idempotent)
    }

    /// One command for one key, following a cluster redirection once. Error replies become faults whose log
    /// line names the cause; the temporary ones (down, AUTH, OOM, READONLY, loading) answer 503.
    ///
    /// A kept connection (FastCGI) may have been closed by Redis since the last request (a restart, or its
    /// `timeout` for idle clients): one that has anything to read before a command is sent is replaced first.
    /// One that breaks under the command is replaced and the command sent once more when that cannot run it
    /// twice: when it broke while the command was being sent (Redis runs only whole commands), or when the
    /// command is `idempotent`. Otherwise the request answers 503 rather than risk issuing, counting or using
    /// up a code twice. A fresh connection that fails is not retried: Redis is down, and the answer is 503.
    func call(_ command: [[UInt8]], key: String, fallback: [[UInt8]]? = nil, idempotent: Bool = false) throws(StoreFault) -> RESPValue {
        var address = endpoint.address, asking = false
        for hop in 0..<2 {
            do throws(RedisFault) {
                var (connection, kept) = try connection(to: address)
                var reply: RESPValue
                do throws(RedisFault) {
                    reply = try send(command, on: connection, asking: asking)
                } catch where kept && (error.lost == .beforeExecution || (error.lost == .withTheReply && idempotent)) {
                    connections[address] = nil
                    (connection, kept) = try self.connection(to: address)
                    reply = try send(command, on: connection, asking: asking)
                }
                if let fallback, case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
                    reply = try send(fallback, on: connection, asking: asking)
                }
                guard case .error(let message) = reply else { return reply }
                if hop == 0, let (ask, target) = Self.redirection(message, from: address) {
                    address = target
                    asking = ask
                    continue
                }
                throw RedisFault(reply: message, address)
            } catch {
                // A connection that failed is never used again: the next call connects afresh.
                connections[address] = nil
                throw StoreFault(error.description, busy: error.temporary)
            }
        }
        throw StoreFault("redis at \(address): redirected more than once for key \(key)", busy: true)
    }

    private func send(_ command: [[UInt8]], on connection: RedisConnection, asking: Bool) throws(RedisFault) -> RESPValue {
        if asking, case .error(let message) = try connection.call([Array("ASKING".utf8)]) {
            throw RedisFault(reply: message, connection.address)
        }
        return try connection.call(command)
    }

    /// The kept connection to `address` when it is still open (true), else a new one (false).
    private func connection(to address: RedisEndpoint.Address) throws(RedisFault) -> (RedisConnection, Bool) {
        if let open = connections[address] {
            if open.isIdleAndOpen { return (open, true) }
            connections[address] = nil
        }
        let connection = try RedisConnection(address, username: endpoint.username, password: endpoint.password, database: endpoint.database,
                                             connectTimeoutMilliseconds: connectTimeoutMilliseconds, readTimeoutMilliseconds: readTimeoutMilliseconds)
        connections[address] = connection
        return (connection, false)
    }

    /// `MOVED 3999 127.0.0.1:6381` or `ASK 3999 [::1]:6381`: whether it is ASK, and where to go.
    static func redirection(_ message: String, from current: RedisEndpoint.Address) -> (Bool, RedisEndpoint.Address)? {
        let words = message.split(byte: UInt8(ascii: " "))
        guard words.count == 3, words[0] == "MOVED" || words[0] == "ASK", words[2].utf8.contains(UInt8(ascii: ":")),
              let target = HostPort(words[2][...]), let port = target.port else { return nil }
        // An empty host means "the node you asked" (cluster-preferred-endpoint-type unknown-endpoint).
        var host = target.host
        if host.isEmpty, case .tcp(let asked, _) = current { host = Substring(asked) }
        return (words[0] == "ASK", .tcp(host: String(host), port: port))
    }

    private func integers(_ reply: RESPValue, script: String) throws(StoreFault) -> [RESPValue] {
        guard case .array(let items?) = reply, !items.isEmpty else { throw StoreFault("redis script \(script): unexpected reply \(reply)") }
        return items
    }

    private func number(_ value: RESPValue) throws(StoreFault) -> Int {
        guard case .integer(let n) = value else { throw StoreFault("redis: expected an integer, got \(value)") }
        return Int(n)
    }

    private func text(_ values: CustomStringConvertible...) -> [[UInt8]] { values.map { Array($0.description.utf8) } }
}
