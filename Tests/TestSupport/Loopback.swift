// HTTP to a server on a loopback port, as the tests' clients speak it, and finding a free port for one.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Anything answering HTTP on a loopback port, and the requests the tests send it.
public protocol LoopbackServer: Sendable {
    var port: Int { get }
}

extension LoopbackServer {
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    public func get(_ path: String) async throws -> HTTPAnswer {
        try await send(URLRequest(url: baseURL.appendingPathComponent(path)))
    }

    public func post(_ endpoint: String, body: Data, contentType: String, accept: String? = nil) async throws -> HTTPAnswer {
        var request = URLRequest(url: baseURL.appendingPathComponent("api/otp/\(endpoint)"))
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        request.httpBody = body
        return try await send(request)
    }

    /// As an API client posts: JSON, and by default the `Accept: */*` of curl.
    public func post(_ endpoint: String, _ fields: [String: String], accept: String? = nil) async throws -> HTTPAnswer {
        try await post(endpoint, body: try JSONSerialization.data(withJSONObject: fields), contentType: "application/json", accept: accept)
    }

    /// As a browser posts a form: urlencoded, and an Accept that ranks HTML first.
    public func postForm(_ endpoint: String, _ body: String) async throws -> HTTPAnswer {
        try await post(endpoint, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded",
                       accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    }

    public func send(_ request: URLRequest) async throws -> HTTPAnswer {
        try await Loopback.exchange(request, port: port)
    }
}

/// A server the tests did not start themselves, such as `make serve`'s.
public struct LoopbackPort: LoopbackServer {
    public let port: Int
    public init(port: Int) { self.port = port }
}

public enum Loopback {
    /// One request on a connection of its own, written whole as soon as it is connected, and the answer read to
    /// the close. A client that keeps a pool of connections (URLSession) can leave one open with nothing sent while
    /// a loaded machine catches up, and Apache answers it 408. Each exchange has a thread of its own, so a hundred
    /// at once are a hundred at once and not the two of Swift's cooperative pool on two cores.
    public static func exchange(_ request: URLRequest, port: Int) async throws -> HTTPAnswer {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try exchange(request, port: port) }) }.start()
        }
    }

    private static func exchange(_ request: URLRequest, port: Int) throws -> HTTPAnswer {
        guard let url = request.url, let parts = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            throw TestFailure("no URL in \(request)")
        }
        let target = (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath)
            + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        var fields = request.allHTTPHeaderFields ?? [:]
        if !fields.keys.contains(where: { $0.lowercased() == "accept" }) { fields["Accept"] = "*/*" }
        let body = request.httpBody ?? Data()
        if request.httpMethod == "POST" || !body.isEmpty { fields["Content-Length"] = String(body.count) }
        let head = "\(request.httpMethod ?? "GET") \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            + fields.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        guard let fd = connection(port: port) else { throw TestFailure("nothing listens on port \(port)") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(request.timeoutInterval.rounded(.up)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(head.utf8) + body
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw TestFailure("send to port \(port): errno \(errno)")
        }
        return try HTTPAnswer(parsing: readAll(fd))
    }
    /// An unused port below the kernel's ephemeral range (`ip_local_port_range`, 32768 and up by default). The
    /// kernel's own pick (port 0) comes from that range, which every outgoing connection of a test running beside
    /// this one draws from too, so a server could lose its port to a client between the pick and its bind. Each
    /// port is handed out once per test run.
    public static func freePort() throws -> Int {
        for _ in 0..<10_000 {
            let port = Int.random(in: 20_000..<ephemeralLow)
            guard !handedOut.withLock({ $0.contains(port) }) else { continue }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = loopback(port: port)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound && handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw TestFailure("no free port below \(ephemeralLow)")
    }

    /// The first port the kernel gives outgoing connections.
    private static let ephemeralLow: Int = {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }.map { max($0, 20_100) } ?? 32_768
    }()

    private static let handedOut = Mutex<Set<Int>>([])

    public static func accepts(port: Int) -> Bool {
        guard let fd = connection(port: port) else { return false }
        close(fd)
        return true
    }

    /// A connected socket, for the caller to close; nil when nothing listens.
    public static func connection(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !connected { close(fd) }
        return connected ? fd : nil
    }

    /// Everything the peer sends until it closes its side, as text.
    public static func readToEnd(_ fd: Int32) -> String {
        String(decoding: readAll(fd), as: UTF8.self)
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[..<n]
        }
        return answer
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        return address
    }
}

public struct HTTPAnswer: Sendable {
    public let status: Int
    /// Names lower-cased.
    public let headers: [String: String]
    public let body: String

    /// An HTTP/1.1 answer as read to the close: the status line, the header fields (repeated ones joined with
    /// ", ", as URLSession joins them) and the body, de-chunked.
    public init(parsing bytes: [UInt8]) throws {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw TestFailure("no end of header in \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let code = lines[0].split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestFailure("no status line: \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw TestFailure("a header line without a colon: \(line)") }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        var body = Array(bytes[(end + separator.count)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try Self.dechunked(body) }
        self.init(status: code, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    public init(status: Int, headers: [String: String], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    private static func dechunked(_ bytes: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = [], rest = bytes[...]
        while true {
            guard let lineEnd = rest.indices.first(where: { rest[$0...].starts(with: [13, 10]) }),
                  let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16),
                  rest.distance(from: lineEnd, to: rest.endIndex) >= 2 + size else {
                throw TestFailure("a broken chunk in \(String(decoding: bytes, as: UTF8.self))")
            }
            if size == 0 { return body }
            body += rest[(lineEnd + 2)..<(lineEnd + 2 + size)]
            rest = rest[(lineEnd + 2 + size)...].dropFirst(2)
        }
    }

    public var detail: String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["detail"] as? String
    }
}
