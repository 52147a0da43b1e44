// One connection to one Redis node over TCP or a Unix socket, with a bounded connect and a bounded wait per reply.
#if canImport(Glibc)
import Glibc
#endif
import Platform

/// A CGI request opens one connection and drops it at exit; a FastCGI process keeps it for request after
/// request, and its store decides what to do when it breaks (RedisStore.call). The socket is non-blocking and every wait goes through poll(2) with the time left, so a Redis that is down,
/// or up but stuck, costs a request at most the connect timeout plus the read timeout: a 503, never a hang.
/// Writes use MSG_NOSIGNAL: a Redis that closes the connection must not kill the process with SIGPIPE. Public so
/// that the tests' Redis harness speaks to redis-server through this same client.
public final class RedisConnection {
    let address: RedisEndpoint.Address
    private let fd: Int32
    private let readTimeoutMilliseconds: Int
    private var buffer: [UInt8] = []
    /// AUTH and SELECT go out with the first command, in one write: the login costs no round trip of its own.
    private var prelude: [[[UInt8]]]

    public init(_ address: RedisEndpoint.Address, username: String?, password: String?, database: Int,
                connectTimeoutMilliseconds: Int, readTimeoutMilliseconds: Int) throws(RedisFault) {
        self.address = address
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        prelude = []
        if let password {
            prelude.append([Array("AUTH".utf8)] + (username.map { [Array($0.utf8)] } ?? []) + [Array(password.utf8)])
        }
        if database != 0 { prelude.append([Array("SELECT".utf8), Array(String(database).utf8)]) }
        fd = try Self.connect(address, timeoutMilliseconds: connectTimeoutMilliseconds)
    }

    deinit { Glibc.close(fd) }

    /// Whether a kept connection can carry the next command: an idle one has nothing to read, so anything
    /// readable (the end of the stream of a Redis that closed it, after `timeout` or a restart) means it is gone.
    var isIdleAndOpen: Bool {
        var entry = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        return buffer.isEmpty && (try? Syscall.poll(&entry, milliseconds: 0)) == 0
    }

    /// Sends one command (after the prelude, the first time) and returns its reply; a Redis error reply is a
    /// value here, for the caller to judge. A refused AUTH or SELECT is a fault.
    public func call(_ arguments: [[UInt8]]) throws(RedisFault) -> RESPValue {
        let commands = prelude + [arguments]
        let preludeCount = prelude.count
        prelude = []
        try write(commands.flatMap(RESPValue.command))
        let deadline = Clock.monotonicMilliseconds() + Int64(readTimeoutMilliseconds)
        for index in 0..<preludeCount {
            if case .error(let message) = try readReply(until: deadline) {
                throw RedisFault(index == 0 && commands[0][0] == Array("AUTH".utf8) ? .authRefused : .refused, message, address)
            }
        }
        return try readReply(until: deadline)
    }

    // MARK: The socket

    private static func connect(_ address: RedisEndpoint.Address, timeoutMilliseconds: Int) throws(RedisFault) -> Int32 {
        var storage = sockaddr_storage()
        let length: socklen_t
        switch address {
        case .unix(let path):
            var un = sockaddr_un()
            un.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &un.sun_path) { raw in
                for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
            }
            place(un, in: &storage)
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
        case .tcp(let host, let port):
            length = try resolve(host, port: port, into: &storage, address)
        }
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw RedisFault(.unreachable, "socket: \(Errno.current)", address) }
        let started = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if started != 0 {
            let connectErrno = errno
            guard connectErrno == EINPROGRESS || connectErrno == EINTR else {
                Glibc.close(fd)
                throw RedisFault(.unreachable, "connect: \(Errno(connectErrno))", address)
            }
            do throws(RedisFault) {
                try wait(fd, for: Int16(POLLOUT), until: Clock.monotonicMilliseconds() + Int64(timeoutMilliseconds),
                         timeoutFault: RedisFault(.unreachable, "connect: no answer within \(timeoutMilliseconds) ms", address))
                var error: Int32 = 0, size = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
                if error != 0 { throw RedisFault(.unreachable, "connect: \(Errno(error))", address) }
            } catch {
                Glibc.close(fd)
                throw error
            }
        }
        if case .tcp = address {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    /// Numeric addresses and `localhost` need no resolver; other names go through getaddrinfo (/etc/hosts, DNS).
    private static func resolve(_ host: String, port: Int, into storage: inout sockaddr_storage,
                                _ address: RedisEndpoint.Address) throws(RedisFault) -> socklen_t {
        let name = host == "localhost" ? "127.0.0.1" : host
        if let ip = IPAddress(name) {
            if ip.bytes.count == 4 {
                var v4 = sockaddr_in()
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = in_port_t(port).bigEndian
                withUnsafeMutableBytes(of: &v4.sin_addr) { $0.copyBytes(from: ip.bytes) }
                place(v4, in: &storage)
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(port).bigEndian
            withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: ip.bytes) }
            place(v6, in: &storage)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        var hints = addrinfo(), result: UnsafeMutablePointer<addrinfo>?
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        let status = getaddrinfo(name, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw RedisFault(.unreachable, "cannot resolve host: \(String(cString: gai_strerror(status)))", address)
        }
        defer { freeaddrinfo(result) }
        let size = Int(first.pointee.ai_addrlen)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: size)) }
        return socklen_t(size)
    }

    private static func place<T>(_ value: T, in storage: inout sockaddr_storage) {
        withUnsafeBytes(of: value) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
    }

    private func write(_ bytes: [UInt8]) throws(RedisFault) {
        let deadline = Clock.monotonicMilliseconds() + Int64(readTimeoutMilliseconds)
        var pending = bytes[...]
        while !pending.isEmpty {
            let sent: Int?
            do throws(SystemError) { sent = try Syscall.sendSome(fd, pending) } catch {
                throw RedisFault(.unreachable, "\(error)", address, lost: .beforeExecution)
            }
            if let sent { pending = pending.dropFirst(sent); continue }
            try Self.wait(fd, for: Int16(POLLOUT), until: deadline,
                          timeoutFault: RedisFault(.unreachable, "send: blocked for \(readTimeoutMilliseconds) ms", address))
        }
    }

    private func readReply(until deadline: Int64) throws(RedisFault) -> RESPValue {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            do throws(RESPError) {
                if let (value, next) = try RESPValue.parse(buffer, at: 0) {
                    buffer.removeFirst(next)
                    return value
                }
            } catch {
                throw RedisFault(.protocolError, error.description, address)
            }
            let received: Int?
            do throws(SystemError) { received = try Syscall.receive(fd, into: &chunk) } catch {
                throw RedisFault(.unreachable, "\(error)", address, lost: .withTheReply)
            }
            if let received, received > 0 { buffer += chunk[..<received]; continue }
            if received == 0 { throw RedisFault(.unreachable, "connection closed by the server", address, lost: .withTheReply) }
            try Self.wait(fd, for: Int16(POLLIN), until: deadline,
                          timeoutFault: RedisFault(.unreachable, "no reply within \(readTimeoutMilliseconds) ms", address))
        }
    }

    private static func wait(_ fd: Int32, for events: Int16, until deadline: Int64, timeoutFault: RedisFault) throws(RedisFault) {
        while true {
            let left = deadline - Clock.monotonicMilliseconds()
            if left <= 0 { throw timeoutFault }
            var entry = [pollfd(fd: fd, events: events, revents: 0)]
            do throws(SystemError) {
                if try Syscall.poll(&entry, milliseconds: left) > 0 { return }
            } catch {
                throw RedisFault(.unreachable, "\(error)", timeoutFault.address)
            }
        }
    }
}

/// Why a Redis call failed. Every kind but `protocolError` and `refused` is one a client should retry later
/// (503); the description names the cause for the error log, and never a password.
public struct RedisFault: Error, CustomStringConvertible {
    enum Kind { case unreachable, authRefused, outOfMemory, readOnly, loading, refused, protocolError }
    /// How a connection broke under a command: while sending it, so Redis never ran it (it runs only whole
    /// commands), or while awaiting its reply, so it may have run.
    enum Lost { case beforeExecution, withTheReply }
    let kind: Kind
    let message: String
    let address: RedisEndpoint.Address
    /// Set when the connection broke (reset, closed) rather than timed out or answered with an error.
    let lost: Lost?

    init(_ kind: Kind, _ message: String, _ address: RedisEndpoint.Address, lost: Lost? = nil) {
        self.kind = kind; self.message = message; self.address = address; self.lost = lost
    }

    /// The kind a Redis error reply stands for, by its first word.
    init(reply message: String, _ address: RedisEndpoint.Address) {
        let code = message.prefix { $0 != " " }
        let kind: Kind = switch code {
        case "NOAUTH", "WRONGPASS": .authRefused
        case "OOM": .outOfMemory
        case "READONLY": .readOnly
        case "LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN": .loading
        default: message.hasPrefix("ERR invalid password") ? .authRefused : .refused
        }
        self.init(kind, message, address)
    }

    var temporary: Bool { kind != .protocolError && kind != .refused }

    public var description: String {
        let cause = switch kind {
        case .unreachable: "unreachable"
        case .authRefused: "AUTH refused"
        case .outOfMemory: "out of memory"
        case .readOnly: "read-only replica"
        case .loading: "not ready"
        case .refused: "error"
        case .protocolError: "protocol error"
        }
        return "redis at \(address): \(cause): \(message)"
    }
}
