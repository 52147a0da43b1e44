// A FastCGI responder process spoken to over a raw socket, as a web server speaks to it.
import Foundation
import Gateway
import OTP

/// One responder started with `--listen` on a Unix socket in its site's directory (or on a loopback port), with
/// the site's settings that name files in its own environment.
public final class Responder {
    public let site: Site
    public let socket: String
    public let port: Int?
    public let process: ServerProcess

    /// `launcher` runs before the executable (`/bin/sh -c 'umask 0; exec "$0" "$@"'`).
    public init(_ program: String, site: Site, environment: [String: String] = [:], arguments: [String] = [], tcp: Bool = false,
                launcher: [String] = []) throws {
        self.site = site
        var attempt = 0
        while true {
            // Another program may take a free port before the responder binds it; then a new one is tried.
            attempt += 1
            let port = tcp ? try Loopback.freePort() : nil
            let socket = port.map { "127.0.0.1:\($0)" } ?? site.directory.appendingPathComponent("\(program).sock").path
            let process = try ServerProcess(launcher + [try Project.executable(program).path, "--listen", socket] + arguments,
                                            environment: site.localResources.merging(environment) { $1 },
                                            output: site.directory.appendingPathComponent("\(program)-\(attempt).log"))
            // It is ready once it listens: looked for up to 3,000 times, 10 ms apart.
            var ready = false
            for _ in 0..<3000 where process.isRunning {
                ready = port.map { Loopback.accepts(port: $0) } ?? FileManager.default.fileExists(atPath: socket)
                if ready { break }
                usleep(10_000)
            }
            if ready && process.isRunning {
                (self.port, self.socket, self.process) = (port, socket, process)
                return
            }
            process.stop(SIGKILL)
            guard tcp && attempt < 3 && process.output.contains("Address already in use") else {
                throw TestFailure("responder did not start:\n\(process.output)")
            }
        }
    }

    deinit { process.stop(SIGKILL) }

    public func connect() throws -> Int32 {
        if let port {
            guard let fd = Loopback.connection(port: port) else { throw TestFailure("connect \(socket): \(errno)") }
            return fd
        }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(self.socket.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { close(fd); throw TestFailure("connect \(self.socket): \(errno)") }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// The records of one request as a web server sends them: BEGIN_REQUEST, PARAMS (the site's settings, or
    /// none of them without `withSettings`, and the CGI meta-variables), STDIN.
    public func request(_ body: String, id: UInt16 = 1, keep: Bool = false, params extra: [(String, String)] = [],
                        from host: Site? = nil, withSettings: Bool = true) -> [UInt8] {
        var params = (host ?? site).environment(method: "POST", contentType: "application/json", length: body.utf8.count, extra: [:])
            .filter { withSettings || !SettingsReader.isSettingName($0.key) }.sorted { $0.key < $1.key }
        params += extra
        return FastCGIRecord(.beginRequest, requestID: id, content: [0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0]).encoded
            + FastCGIRecord.stream(.params, requestID: id, FastCGIPairs.encode(params))
            + FastCGIRecord(.params, requestID: id).encoded
            + FastCGIRecord.stream(.stdin, requestID: id, Array(body.utf8))
            + FastCGIRecord(.stdin, requestID: id).encoded
    }

    /// Sends `bytes`, then reads records until END_REQUEST or until the responder closes the connection.
    public func exchange(_ bytes: [UInt8], on fd: Int32? = nil) throws -> Exchange {
        let connection = try fd ?? connect()
        defer { if fd == nil { close(connection) } }
        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // A connection of its own ends here, as a peer that hangs up; a kept one stays open for more.
        if fd == nil { shutdown(connection, Int32(SHUT_WR)) }
        return Exchange.read(connection)
    }
}

/// What came back on a connection: the records, and the STDOUT stream as text.
public struct Exchange: Sendable {
    public var records: [FastCGIRecord] = []
    public var closed = false

    public var stdout: String { String(decoding: records.filter { $0.kind == .stdout }.flatMap(\.content), as: UTF8.self) }
    public var stderr: String { String(decoding: records.filter { $0.kind == .stderr }.flatMap(\.content), as: UTF8.self) }
    public var status: Int? { stdout.hasPrefix("Status: ") ? Int(stdout.dropFirst(8).prefix(3)) : nil }
    public var end: FastCGIRecord? { records.first { $0.kind == .endRequest } }

    public static func read(_ fd: Int32, untilEnd: Bool = true) -> Exchange {
        var result = Exchange(), buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while buffer.count >= 8, let header = FastCGIRecord.header(buffer[0..<8]),
                  buffer.count >= 8 + header.contentLength + header.paddingLength {
                result.records.append(FastCGIRecord(type: header.type, requestID: header.requestID,
                                                    content: Array(buffer[8..<8 + header.contentLength])))
                buffer.removeFirst(8 + header.contentLength + header.paddingLength)
                if untilEnd && (header.type == FastCGIRecord.Kind.endRequest.rawValue
                                || header.type == FastCGIRecord.Kind.getValuesResult.rawValue
                                || header.type == FastCGIRecord.Kind.unknownType.rawValue) { return result }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { result.closed = true; return result }
            buffer += chunk[..<n]
        }
    }
}
