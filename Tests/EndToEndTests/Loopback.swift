// HTTP to a server on a loopback port, as the tests' clients speak it, and finding a free port for one.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Anything answering HTTP on a loopback port, and the requests the tests send it.
protocol LoopbackServer: Sendable {
    var port: Int { get }
}

extension LoopbackServer {
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    func get(_ path: String) async throws -> HTTPAnswer {
        try await send(URLRequest(url: baseURL.appendingPathComponent(path)))
    }

    func post(_ endpoint: String, body: Data, contentType: String, accept: String? = nil) async throws -> HTTPAnswer {
        var request = URLRequest(url: baseURL.appendingPathComponent("api/otp/\(endpoint)"))
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        request.httpBody = body
        return try await send(request)
    }

    /// As an API client posts: JSON, and by default the `Accept: */*` of URLSession (libcurl).
    func post(_ endpoint: String, _ fields: [String: String], accept: String? = nil) async throws -> HTTPAnswer {
        try await post(endpoint, body: try JSONSerialization.data(withJSONObject: fields), contentType: "application/json", accept: accept)
    }

    /// As a browser posts a form: urlencoded, and an Accept that ranks HTML first.
    func postForm(_ endpoint: String, _ body: String) async throws -> HTTPAnswer {
        try await post(endpoint, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded",
                       accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    }

    func send(_ request: URLRequest) async throws -> HTTPAnswer {
        let (data, response) = try await Loopback.session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP answer") }
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in http.allHeaderFields { headers[name.lowercased()] = value }
        return HTTPAnswer(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self))
    }
}

/// A server the tests did not start themselves, such as `make serve`'s.
struct LoopbackPort: LoopbackServer {
    let port: Int
}

enum Loopback {
    /// Enough connections for the parallel tests to be parallel; no cookies or cache between requests.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 120
        return URLSession(configuration: configuration)
    }()

    /// The kernel's pick of an unused port, free again once this socket closes for the server to take. The
    /// kernel may pick a port again once it is free, so suites starting in parallel could get the same one:
    /// each port is handed out once per test run.
    static func freePort() throws -> Int {
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = loopback(port: 0), length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw TestFailure("no free port: errno \(errno)") }
            let port = Int(UInt16(bigEndian: address.sin_port))
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    private static let handedOut = Mutex<Set<Int>>([])

    static func accepts(port: Int) -> Bool {
        guard let fd = connection(port: port) else { return false }
        close(fd)
        return true
    }

    /// A connected socket, for the caller to close; nil when nothing listens.
    static func connection(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !connected { close(fd) }
        return connected ? fd : nil
    }

    /// Everything the peer sends until it closes its side, as text.
    static func readToEnd(_ fd: Int32) -> String {
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        return address
    }
}

struct HTTPAnswer: Sendable {
    let status: Int
    /// Names lower-cased.
    let headers: [String: String]
    let body: String

    var detail: String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["detail"] as? String
    }
}
