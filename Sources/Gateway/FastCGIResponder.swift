// FastCGI 1.0 from the perspective of the application, in the responder role: the second gateway beside CGI.
// It turns each request's PARAMS and STDIN into exactly what the CGI gateway reads (meta-variables and a body),
// so the handler cannot tell which gateway called it.
#if canImport(Glibc)
import Glibc
#endif
import Platform
import Synchronization

public final class FastCGIResponder {
    /// PARAMS beyond this close the connection: Apache's own header limits stay far below it.
    static let maxParamsBytes = 256 * 1024
    /// Each connection has one deadline, well under mod_fcgid's 40-second I/O timeout: from its accept, or from
    /// the last answer on it, until its next request is whole. Only an answer renews it (and a request's
    /// BEGIN_REQUEST extends it once, so a kept connection idle for a while still has the whole span for its
    /// next request); records between requests (GET_VALUES, another request id's STDIN, an aborted request) do
    /// not, so no peer holds a connection by sending something every few seconds.
    static let deadlineSeconds = 10
    /// Connections served at once. A slow peer holds one of them, never the process: every connection and the
    /// listener are polled together, and a request reaches the service only once its STDIN is complete.
    static let maxConnections = 64

    /// Set by SIGTERM: requests begun are finished, then the process exits.
    static let stopRequested = Atomic<Bool>(false)

    let listener: Int32
    let maxRequests: Int
    /// On a TCP listener, the peers it answers (`FCGI_WEB_SERVER_ADDRS`); nil on a Unix socket, whose mode says.
    let allowedPeers: [AddressRange]?
    /// What a process keeps between requests is the handler's to decide; everything of a request itself lives in
    /// its connection's `Pending` and dies with it.
    let handler: Handler
    /// Built from the setting variables' name prefixes: only those and the request's own meta-variables reach the
    /// handler, as under CGI.
    let keeping: VariableFilter?
    /// Whether the responder's own environment sends lines to syslog (`OTP_LOG`), nil when it leaves that to each
    /// request: its own environment wins over a request's, as for every setting.
    let ownSyslogChoice: Bool?
    /// The read end of a pipe only the parent of `--workers` holds open: it reads as ended when that parent is gone,
    /// killed outright too, and the worker then stops as on SIGTERM rather than serve on unwatched.
    private var parent: Int32?
    private var served = 0
    private var connections: [Connection] = []
    /// One receive buffer for every connection: allocating (and zeroing) it per request cost more than the request.
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)

    public init(listener: Int32, maxRequests: Int, allowedPeers: [AddressRange]? = nil, parent: Int32? = nil, keeping: [String]? = nil,
                own: [String: String] = [:], handler: @escaping Handler) {
        self.listener = listener; self.maxRequests = maxRequests; self.allowedPeers = allowedPeers; self.parent = parent
        self.keeping = keeping.map(VariableFilter.init); self.handler = handler
        ownSyslogChoice = own["OTP_LOG"].map { Syslog.isChosen($0) }
    }

    /// False for a TCP peer outside `allowedPeers`, whose connection is closed unread.
    func admits(_ connection: Int32) -> Bool {
        guard let allowedPeers else { return true }
        guard let peer = FastCGIListener.peerAddress(connection), allowedPeers.contains(where: { $0.contains(peer) }) else {
            StandardError.log("fastcgi: a connection from outside FCGI_WEB_SERVER_ADDRS closed unread")
            return false
        }
        return true
    }

    /// True when `fd` is a socket with no peer: the FastCGI convention (FCGI_LISTENSOCK_FILENO) for "you were
    /// started by a FastCGI server; accept requests here". Under CGI, stdin is a pipe or a connected socket.
    public static func isListeningSocket(_ fd: Int32) -> Bool {
        var address = sockaddr_storage(), length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return result == -1 && errno == ENOTCONN
    }

    /// Serves connections until SIGTERM or `maxRequests` (0: no limit), then finishes the requests begun;
    /// returns the exit status.
    public func run() -> Int32 {
        Self.installSignalHandlers()
        // Processes sharing one listening socket (spawn-fcgi -F 4) all wake for a connection that one of them
        // takes: accept must then fail at once rather than block the others' connections.
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        while true {
            let stopping = Self.stopRequested.load(ordering: .relaxed) || (maxRequests > 0 && served >= maxRequests)
            if stopping {
                // What arrived before the signal counts as begun: read it, then drop every idle connection.
                _ = pollOnce(timeout: 0, listening: false)
                connections.removeAll { connection in
                    guard !connection.isBusy else { return false }
                    close(connection.fd)
                    return true
                }
                if connections.isEmpty { return 0 }
            }
            let now = Clock.monotonicMilliseconds()
            connections.removeAll { connection in
                guard connection.deadline <= now else { return false }
                close(connection.fd)
                return true
            }
            let wait = connections.map(\.deadline).min().map { Int32(clamping: max(0, $0 - now)) } ?? -1
            guard pollOnce(timeout: wait, listening: !stopping && connections.count < Self.maxConnections) else { return 1 }
        }
    }

    /// One poll over the listener and every connection, then the reads and accepts it allows; false when the
    /// listener fails.
    private func pollOnce(timeout: Int32, listening: Bool) -> Bool {
        var fds = connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        let listenerIndex = fds.count
        if listening { fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
        if let parent { fds.append(pollfd(fd: parent, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready < 0 { return errno == EINTR || errno == EAGAIN }
        if let parent, fds[fds.count - 1].revents != 0 {
            // Polled no more: an ended pipe stays readable, and would wake every poll while requests finish.
            close(parent)
            self.parent = nil
            Self.stopRequested.store(true, ordering: .relaxed)
        }
        // From the end, so that removing a connection leaves the indices still to visit in place.
        for index in connections.indices.reversed() where fds[index].revents != 0 {
            let connection = connections[index]
            if !receive(on: connection) {
                close(connection.fd)
                connections.remove(at: index)
            }
        }
        if listening && fds[listenerIndex].revents != 0 && !Self.stopRequested.load(ordering: .relaxed) { return acceptOne() }
        return true
    }

    /// Takes one waiting connection and reads what it has sent: a web server sends a request whole, so it is
    /// answered at once, and the connections behind it wait in the listener's queue, where another process on the
    /// socket (`--workers`, spawn-fcgi `-F`) takes them, rather than behind this one's request in this process.
    private func acceptOne() -> Bool {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else {
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED: return true
            default:
                StandardError.log("fastcgi: accept: \(Errno.current)")
                return false
            }
        }
        // One thread, so nothing can spawn a child between accept and this (accept4 is not in Glibc's module).
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard admits(fd) else { close(fd); return true }
        // A peer that does not read its answer cannot hold the process in a send either.
        var timeout = timeval(tv_sec: Self.deadlineSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connection = Connection(fd: fd, deadline: Clock.monotonicMilliseconds() + Int64(Self.deadlineSeconds) * 1000)
        if receive(on: connection) { connections.append(connection) } else { close(fd) }
        return true
    }

    /// Reads what a connection has sent and acts on every whole record; false when it is to be closed.
    private func receive(on connection: Connection) -> Bool {
        let n = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
        if n == 0 { return false }
        connection.buffer += chunk[..<n]
        while true {
            switch connection.nextRecord() {
            case .record(let type, let id, let content):
                guard handle(type: type, id: id, content: content, on: connection) else { return false }
            case .incomplete: return true
            case .malformed: return false
            }
        }
    }

    /// One record of a connection; false when the connection is to be closed.
    private func handle(type: UInt8, id: UInt16, content: [UInt8], on connection: Connection) -> Bool {
        let fd = connection.fd
        if id == 0 { return send(fd, management(type: type, content: content)) }
        switch FastCGIRecord.Kind(rawValue: type) {
        case .beginRequest where content.count >= 3:
            let role = UInt16(content[0]) << 8 | UInt16(content[1])
            let keep = content[2] & FastCGIRecord.keepConnection != 0
            if connection.pending != nil {
                return send(fd, FastCGIRecord.endRequest(id, .cantMultiplexConnection))
            } else if role != FastCGIRecord.responderRole {
                return send(fd, FastCGIRecord.endRequest(id, .unknownRole)) && keep
            }
            connection.pending = Pending(id: id, keepConnection: keep)
            if !connection.extended {
                connection.extended = true
                connection.deadline = max(connection.deadline, Clock.monotonicMilliseconds() + Int64(Self.deadlineSeconds) * 1000)
            }
        case .abortRequest where connection.pending?.id == id:
            let keep = connection.pending!.keepConnection
            connection.pending = nil
            return send(fd, FastCGIRecord.endRequest(id, appStatus: 1, .requestComplete)) && keep
        case .params where connection.pending?.id == id:
            connection.pending!.params += content
            return connection.pending!.params.count <= Self.maxParamsBytes
        case .stdin where connection.pending?.id == id && !content.isEmpty:
            connection.pending!.bodyBytes += content.count
            // Past the discard bound the peer is not a web server relaying a request: drop it.
            guard connection.pending!.bodyBytes <= Request.maxDiscardBytes else { return false }
            if connection.pending!.body.count <= Request.maxBodyBytes {
                connection.pending!.body += content.prefix(Request.maxBodyBytes + 1 - connection.pending!.body.count)
            }
        case .stdin where connection.pending?.id == id:
            // STDIN is complete: only now does the request reach the service.
            let request = connection.pending!
            connection.pending = nil
            guard answer(request, on: fd), request.keepConnection else { return false }
            connection.deadline = Clock.monotonicMilliseconds() + Int64(Self.deadlineSeconds) * 1000
            connection.extended = false
            return !Self.stopRequested.load(ordering: .relaxed) && !(maxRequests > 0 && served >= maxRequests)
        default:
            break // records of other requests or roles (DATA) carry nothing for a responder
        }
        return true
    }

    /// Answers one complete request: its log lines as STDERR, the CGI response as STDOUT, then END_REQUEST.
    private func answer(_ request: Pending, on fd: Int32) -> Bool {
        served += 1
        var prefixed: [UInt8] = []
        prefixed.reserveCapacity(request.params.count)
        guard let params = FastCGIPairs.environment(request.params, keeping: keeping, prefixed: &prefixed) else { return false }
        var received = CGI.request(from: params, readBody: { Array(request.body.prefix($0)) })
        // Without a filter nothing is kept by prefix: the bytes would be empty for every request, and say nothing.
        received.prefixedVariables = keeping == nil ? nil : prefixed
        var logLines: [UInt8] = []
        let toSyslog = ownSyslogChoice ?? Syslog.isChosen(received.setting("OTP_LOG"))
        let output = handler(received,
                             { toSyslog ? Syslog.log($0) : (logLines += StandardError.logLine($0)) })
        let sent = send(fd, FastCGIRecord.stream(.stderr, requestID: request.id, logLines)
                        + FastCGIRecord.stream(.stdout, requestID: request.id, output)
                        + FastCGIRecord(.stdout, requestID: request.id).encoded
                        + FastCGIRecord.endRequest(request.id, .requestComplete))
        // What the handler keeps may hold on to this log until the next request: it must hold none of its lines
        // (the console backend's carry a code).
        logLines = []
        return sent
    }

    /// GET_VALUES gets this responder's limits; any other management record, FCGI_UNKNOWN_TYPE (section 4).
    private func management(type: UInt8, content: [UInt8]) -> [UInt8] {
        guard type == FastCGIRecord.Kind.getValues.rawValue else {
            return FastCGIRecord(.unknownType, requestID: 0, content: [type, 0, 0, 0, 0, 0, 0, 0]).encoded
        }
        let most = String(Self.maxConnections)
        let known = ["FCGI_MAX_CONNS": most, "FCGI_MAX_REQS": most, "FCGI_MPXS_CONNS": "0"]
        let asked = FastCGIPairs.decode(content) ?? []
        return FastCGIRecord(.getValuesResult, requestID: 0,
                             content: FastCGIPairs.encode(asked.compactMap { name, _ in known[name].map { (name, $0) } })).encoded
    }

    /// Writes all of `bytes`; false when the peer is gone.
    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool { (try? Syscall.writeAll(fd, bytes, socket: true)) != nil }

    /// SIGTERM without SA_RESTART, so that a blocked poll returns and the loop can end; the handler only
    /// sets a flag (async-signal-safe).
    private static func installSignalHandlers() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in FastCGIResponder.stopRequested.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        // A parent that had it blocked (some process managers do) must not make the responder unstoppable.
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &terminate, nil)
    }
}

/// One request's state; a second BEGIN_REQUEST on the connection is refused (FCGI_MPXS_CONNS is 0).
private struct Pending {
    let id: UInt16
    let keepConnection: Bool
    var params: [UInt8] = []
    var body: [UInt8] = []
    var bodyBytes = 0
}

/// One connection: the bytes received and not yet taken as records, its request, and its deadline.
private final class Connection {
    let fd: Int32
    var buffer: [UInt8] = []
    var start = 0
    var pending: Pending?
    /// Monotonic milliseconds.
    var deadline: Int64
    /// Whether a BEGIN_REQUEST has had its one extension since the last answer.
    var extended = false

    init(fd: Int32, deadline: Int64) { self.fd = fd; self.deadline = deadline }

    /// Part of a request has arrived: SIGTERM lets it finish.
    var isBusy: Bool { pending != nil || buffer.count > start }

    enum Next {
        case record(type: UInt8, id: UInt16, content: [UInt8])
        case incomplete, malformed
    }

    /// The next whole record in the buffer; not FastCGI version 1 is malformed.
    func nextRecord() -> Next {
        guard buffer.count - start >= FastCGIRecord.headerLength else { return compacted(.incomplete) }
        guard let header = FastCGIRecord.header(buffer[start..<start + FastCGIRecord.headerLength]) else { return .malformed }
        let total = FastCGIRecord.headerLength + header.contentLength + header.paddingLength
        guard buffer.count - start >= total else { return compacted(.incomplete) }
        let contentStart = start + FastCGIRecord.headerLength
        let content = Array(buffer[contentStart..<contentStart + header.contentLength])
        start += total
        return .record(type: header.type, id: header.requestID, content: content)
    }

    /// Drops the records already taken, once no whole one is left.
    private func compacted(_ next: Next) -> Next {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        return next
    }
}
