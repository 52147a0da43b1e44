// Which store holds the codes and how it is reached: OTP_STORE_URL (the file store in OTP_STORE_DIR, or Redis over
// TCP or a Unix socket), the file store's lock timeout and syncing, and Redis's knobs.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

public struct StoreSettings: Sendable, Equatable {
    public var location = Location.file
    public var directory: String
    public var lockTimeoutMilliseconds = 2000
    public var sync = StoreSync.used
    /// Namespaces the keys, so that one Redis can serve several sites.
    public var redisPrefix = "otp:"
    public var connectTimeoutMilliseconds = 250
    public var readTimeoutMilliseconds = 1000

    public enum Location: Sendable, Equatable {
        case file
        case redis(RedisEndpoint)
    }

    /// Outside any document root and writable by the web server's user out of the box; the store checks
    /// that it owns the directory and that nobody else can read it.
    public static var defaultDirectory: String { "/var/tmp/otp-cgi-\(geteuid())" }

    public init() { directory = Self.defaultDirectory }

    public init(_ reader: SettingsReader) throws(OTPError) {
        directory = try reader.absolutePath("OTP_STORE_DIR") ?? Self.defaultDirectory
        lockTimeoutMilliseconds = try reader.integer("OTP_LOCK_TIMEOUT_MS", default: lockTimeoutMilliseconds, in: 10...30_000)
        if let mode = reader.string("OTP_STORE_SYNC") {
            guard let parsed = StoreSync(rawValue: mode) else { throw .misconfigured("OTP_STORE_SYNC must be used, always or never") }
            sync = parsed
        }
        if let url = reader.string("OTP_STORE_URL") { location = try Self.parse(url) }
        if let prefix = reader.string("OTP_REDIS_PREFIX") {
            // A brace would move the hash tag and so the record's cluster slot; spaces and controls make keys
            // that redis-cli users cannot type.
            guard prefix.utf8.count <= 64, prefix.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f && $0 != "{" && $0 != "}" }) else {
                throw .misconfigured("OTP_REDIS_PREFIX must be up to 64 printable ASCII characters without spaces or braces")
            }
            redisPrefix = prefix
        }
        connectTimeoutMilliseconds = try reader.integer("OTP_REDIS_CONNECT_TIMEOUT_MS", default: connectTimeoutMilliseconds, in: 1...60_000)
        readTimeoutMilliseconds = try reader.integer("OTP_REDIS_READ_TIMEOUT_MS", default: readTimeoutMilliseconds, in: 1...60_000)
    }

    /// `file:`, `redis://[[user]:password@]host[:port][/db]` or `unix:///path/redis.sock[?db=N&password=...]`.
    /// The message never repeats the URL, which may hold a password.
    static func parse(_ url: String) throws(OTPError) -> Location {
        let lowered = url.lowercased()
        if lowered == "file:" || lowered == "file://" { return .file }
        if lowered.hasPrefix("rediss://") {
            throw .misconfigured("OTP_STORE_URL: rediss:// (TLS) is not supported; reach Redis through a Unix socket "
                + "(unix:///path/redis.sock) or a local TLS tunnel such as stunnel listening on 127.0.0.1 (redis://127.0.0.1:PORT)")
        }
        if lowered.hasPrefix("redis://") { return .redis(try RedisEndpoint(tcp: String(url.dropFirst(8)))) }
        if lowered.hasPrefix("unix://") { return .redis(try RedisEndpoint(unix: String(url.dropFirst(7)))) }
        throw .misconfigured("OTP_STORE_URL must be file:, redis://host[:port][/db] or unix:///path/redis.sock")
    }
}

/// Which of the file store's writes wait for the disk (`fdatasync` of the shard's table). Crash safety does not
/// depend on it: a killed process leaves each slot old or new, and a slot a power cut tears reads as absent.
public enum StoreSync: String, Sendable, Equatable {
    /// A used-up code, and the store's directories, lock files and tables as they are made or grown: a power cut
    /// may then lose a new code, an attempt or a count (as Redis's default persistence may), but never make a
    /// used code verify again.
    case used
    /// Every write, each paying about a millisecond on a disk that honours fsync.
    case always
    /// No write: for a store on tmpfs, which a power cut empties anyway.
    case never
}

/// Where one Redis listens and how to log in to it.
public struct RedisEndpoint: Sendable, Equatable {
    public enum Address: Sendable, Hashable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): path
            }
        }
    }

    public var address: Address
    public var username: String?
    public var password: String?
    public var database = 0

    public init(address: Address, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.address = address; self.username = username; self.password = password; self.database = database
    }

    /// What follows `redis://`.
    init(tcp rest: String) throws(OTPError) {
        var hostPart = Substring(rest)
        if let at = rest.utf8.lastIndex(of: UInt8(ascii: "@")) {
            (username, password) = try Self.credentials(rest[..<at])
            hostPart = rest[rest.utf8.index(after: at)...]
        }
        if let slash = hostPart.utf8.firstIndex(of: UInt8(ascii: "/")) {
            let db = hostPart[hostPart.utf8.index(after: slash)...]
            database = db.isEmpty ? 0 : try Self.database(db)
            hostPart = hostPart[..<slash]
        }
        guard let parsed = HostPort(hostPart) else {
            // Brackets that do not close, or anything after them but a port, make no address at all.
            let bytes = hostPart.utf8, close = bytes.firstIndex(of: UInt8(ascii: "]"))
            if bytes.first == UInt8(ascii: "["), close == nil || bytes[bytes.index(after: close!)...].first != UInt8(ascii: ":") {
                throw Self.bad
            }
            throw .misconfigured("OTP_STORE_URL: the port must be a number from 1 to 65535")
        }
        let host = parsed.host, port = parsed.port ?? 6379
        guard HostPort.isHostName(host) || IPAddress(String(host)) != nil else { throw Self.bad }
        address = .tcp(host: String(host), port: port)
    }

    /// What follows `unix://`: an absolute path, then optionally `?db=N&password=...&username=...`.
    init(unix rest: String) throws(OTPError) {
        var path = Substring(rest)
        if let question = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = rest[..<question]
            for pair in Self.split(rest[rest.utf8.index(after: question)...], at: "&", omittingEmpty: true) {
                let parts = Self.split(pair, at: "=", maxSplits: 1, omittingEmpty: false)
                guard parts.count == 2 else { throw Self.bad }
                switch parts[0] {
                case "db": database = try Self.database(parts[1])
                case "password": password = try Self.percentDecoded(parts[1])
                case "username", "user": username = try Self.percentDecoded(parts[1])
                default: throw Self.bad
                }
            }
        }
        guard path.hasPrefix("/"), path.utf8.count < 108 else {
            throw .misconfigured("OTP_STORE_URL: a unix:// URL needs an absolute socket path under 108 bytes, as in unix:///run/redis/redis.sock")
        }
        address = .unix(path: String(path))
    }

    private static let bad = OTPError.misconfigured("OTP_STORE_URL must be redis://[[user]:password@]host[:port][/db] or unix:///path/redis.sock[?db=N]")

    /// `text` cut at every `separator` byte (a separator followed by a combining mark is still one).
    private static func split(_ text: Substring, at separator: Unicode.Scalar, maxSplits: Int = .max, omittingEmpty: Bool) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: separator), maxSplits: maxSplits, omittingEmptySubsequences: omittingEmpty)
            .map { text[$0.startIndex..<$0.endIndex] }
    }

    private static func credentials(_ text: Substring) throws(OTPError) -> (String?, String?) {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            // redis://password@host, as redis-cli -u and several clients read it.
            return (nil, text.isEmpty ? nil : try percentDecoded(text))
        }
        let user = text[..<colon], pass = text[text.utf8.index(after: colon)...]
        return (user.isEmpty ? nil : try percentDecoded(user), pass.isEmpty ? nil : try percentDecoded(pass))
    }

    private static func database(_ text: Substring) throws(OTPError) -> Int {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let db = Int(text) else {
            throw .misconfigured("OTP_STORE_URL: the database must be a number, as in redis://127.0.0.1:6379/1")
        }
        return db
    }

    /// Passwords often hold `@`, `:` or `/`, which a URL carries as %40, %3A, %2F.
    static func percentDecoded(_ text: Substring) throws(OTPError) -> String {
        guard let bytes = PercentDecoding.decode(Array(text.utf8), plusIsSpace: false) else {
            throw .misconfigured("OTP_STORE_URL has a malformed %-escape")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
