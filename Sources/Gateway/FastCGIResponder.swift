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
    /// An idle or stalled peer is dropped after this, so that it cannot hold the one request slot while
    /// connections queue behind it: well under mod_fcgid's 40-second I/O timeout for those that wait. A web
    /// server sends a request's records at once. It bounds each read between requests, and a whole request from
    /// its first byte to its last STDIN record: a peer sending a byte every few seconds never waits out a
    /// per-read timeout.
    static let readTimeoutSeconds = 10

    /// Set by SIGTERM: the request in flight is finished, then the process exits.
    static let stopRequested = Atomic<Bool>(false)

    let listener: Int32
    let maxRequests: Int
    /// What a process keeps between requests is the handler's to decide; everything of a request itself lives in
    /// `serve(connection:)` and dies with it.
    let handler: Handler
    private var served = 0
    /// One buffer for every connection: allocating (and zeroing) it per request cost more than the request.
    private var reader = RecordReader()

    public init(listener: Int32, maxRequests: Int, handler: @escaping Handler) {
        self.listener = listener; self.maxRequests = maxRequests; self.handler = handler
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

    /// Accepts connections one at a time until SIGTERM or `maxRequests` (0: no limit); returns the exit status.
    public func run() -> Int32 {
        Self.installSignalHandlers()
        while !Self.stopRequested.load(ordering: .relaxed) {
            let connection: Int32
            do throws(SystemError) { connection = try Syscall.accept(listener) } catch {
                if error.errno == .interrupted { continue }
                StandardError.log("fastcgi: \(error)")
                return 1
            }
            // One thread, so nothing can spawn a child between accept and this (accept4 is not in Glibc's module).
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            var timeout = timeval(tv_sec: Self.readTimeoutSeconds, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            serve(connection: connection)
            close(connection)
            if maxRequests > 0 && served >= maxRequests { break }
        }
        return 0
    }

    /// One request's state; a second BEGIN_REQUEST on the connection is refused (FCGI_MPXS_CONNS is 0).
    private struct Pending {
        let id: UInt16
        let keepConnection: Bool
        var params: [UInt8] = []
        var body: [UInt8] = []
        var bodyBytes = 0
    }

    private func serve(connection fd: Int32) {
        reader.begin(fd)
        var pending: Pending?
        while true {
            // Between requests no deadline runs; the next byte starts the next request's.
            if pending == nil { reader.deadline = nil }
            guard let (header, content) = reader.next(idle: pending == nil) else { return }
            let (type, id) = (header.type, header.requestID)
            if id == 0 {
                guard send(fd, management(type: type, content: content)) else { return }
                continue
            }
            switch FastCGIRecord.Kind(rawValue: type) {
            case .beginRequest where content.count >= 3:
                let role = UInt16(content[0]) << 8 | UInt16(content[1])
                let keep = content[2] & FastCGIRecord.keepConnection != 0
                if pending != nil {
                    guard send(fd, FastCGIRecord.endRequest(id, .cantMultiplexConnection)) else { return }
                } else if role != FastCGIRecord.responderRole {
                    guard send(fd, FastCGIRecord.endRequest(id, .unknownRole)), keep else { return }
                } else {
                    pending = Pending(id: id, keepConnection: keep)
                }
            case .abortRequest where pending?.id == id:
                guard send(fd, FastCGIRecord.endRequest(id, appStatus: 1, .requestComplete)), pending!.keepConnection else { return }
                pending = nil
            case .params where pending?.id == id:
                pending!.params += content
                guard pending!.params.count <= Self.maxParamsBytes else { return }
            case .stdin where pending?.id == id && !content.isEmpty:
                pending!.bodyBytes += content.count
                // Past the discard bound the peer is not a web server relaying a request: drop it.
                guard pending!.bodyBytes <= Request.maxDiscardBytes else { return }
                if pending!.body.count <= Request.maxBodyBytes { pending!.body += content.prefix(Request.maxBodyBytes + 1 - pending!.body.count) }
            case .stdin where pending?.id == id:
                let request = pending!
                pending = nil
                guard answer(request, on: fd), request.keepConnection, !Self.stopRequested.load(ordering: .relaxed) else { return }
                if maxRequests > 0 && served >= maxRequests { return }
            default:
                continue // records of other requests or roles (DATA) carry nothing for a responder
            }
        }
    }

    /// Answers one complete request: its log lines as STDERR, the CGI response as STDOUT, then END_REQUEST.
    private func answer(_ request: Pending, on fd: Int32) -> Bool {
        served += 1
        guard let pairs = FastCGIPairs.decode(request.params) else { return false }
        var params: [String: String] = [:]
        for (name, value) in pairs { params[name] = value }
        var logLines: [UInt8] = []
        let output = handler(CGI.request(from: params, readBody: { Array(request.body.prefix($0)) }),
                             { logLines += StandardError.logLine($0) })
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
        let known = ["FCGI_MAX_CONNS": "1", "FCGI_MAX_REQS": "1", "FCGI_MPXS_CONNS": "0"]
        let asked = FastCGIPairs.decode(content) ?? []
        return FastCGIRecord(.getValuesResult, requestID: 0,
                             content: FastCGIPairs.encode(asked.compactMap { name, _ in known[name].map { (name, $0) } })).encoded
    }

    /// Writes all of `bytes`; false when the peer is gone.
    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool { (try? Syscall.writeAll(fd, bytes, socket: true)) != nil }

    /// SIGTERM without SA_RESTART, so that a blocked accept returns and the loop can end; the handler only
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

/// Reads whole records from a connection through one buffer, kept from connection to connection.
private struct RecordReader {
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    /// When the request being read must be complete (monotonic milliseconds); set by its first byte.
    var deadline: Int64?

    mutating func begin(_ connection: Int32) {
        fd = connection
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    /// The next record, or nil at end of stream, on a malformed header, a timeout, or SIGTERM between requests
    /// (`idle`); during a request an interrupted read is resumed, so the request in flight is finished.
    mutating func next(idle: Bool) -> ((type: UInt8, requestID: UInt16), [UInt8])? {
        guard fill(FastCGIRecord.headerLength, idle: idle),
              let header = FastCGIRecord.header(buffer[start..<start + FastCGIRecord.headerLength]) else { return nil }
        let total = FastCGIRecord.headerLength + header.contentLength + header.paddingLength
        guard fill(total, idle: false) else { return nil }
        let contentStart = start + FastCGIRecord.headerLength
        let content = Array(buffer[contentStart..<contentStart + header.contentLength])
        start += total
        return ((header.type, header.requestID), content)
    }

    private mutating func fill(_ count: Int, idle: Bool) -> Bool {
        if start > 0 && buffer.count - start < count {
            buffer.removeFirst(start)
            start = 0
        }
        while buffer.count - start < count {
            if let deadline {
                let left = deadline - Clock.monotonicMilliseconds()
                guard left > 0 else { return false }
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let polled = poll(&ready, 1, Int32(min(left, Int64(Int32.max))))
                if polled == 0 { return false }
                if polled < 0 && errno != EINTR { return false }
                if polled < 0 {
                    if idle && FastCGIResponder.stopRequested.load(ordering: .relaxed) { return false }
                    continue
                }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                if deadline == nil { deadline = Clock.monotonicMilliseconds() + Int64(FastCGIResponder.readTimeoutSeconds) * 1000 }
                buffer += chunk[..<n]
            } else if n < 0 && errno == EINTR && !(idle && FastCGIResponder.stopRequested.load(ordering: .relaxed)) {
                continue
            } else {
                return false
            }
        }
        return true
    }
}
