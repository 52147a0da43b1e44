// The built executables as FastCGI responders, spoken to over a raw socket: the protocol's management records,
// hostile peers, SIGTERM, OTP_FCGI_MAX_REQUESTS, and the guard that keeps `--listen` out of a client's reach.
import Foundation
import Testing
@testable import HTTP

/// One responder started with `--listen` on a Unix socket in its site's directory.
final class Responder {
    let site: Site
    let socket: String
    let process: ServerProcess

    init(_ program: String, site: Site, environment: [String: String] = [:], arguments: [String] = []) throws {
        self.site = site
        socket = site.directory.appendingPathComponent("\(program).sock").path
        process = try ServerProcess([try Project.executable(program).path, "--listen", socket] + arguments, environment: environment,
                                    output: site.directory.appendingPathComponent("\(program).log"))
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socket) {
            guard process.isRunning, Date() < deadline else { throw TestFailure("responder did not start:\n\(process.output)") }
            usleep(10_000)
        }
    }

    deinit { process.stop(SIGKILL) }

    func connect() throws -> Int32 {
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

    /// The records of one request as a web server sends them: BEGIN_REQUEST, PARAMS (the site's settings and
    /// the CGI meta-variables), STDIN.
    func request(_ body: String, id: UInt16 = 1, keep: Bool = false, params extra: [(String, String)] = [], from host: Site? = nil) -> [UInt8] {
        var params = (host ?? site).environment(method: "POST", contentType: "application/json", length: body.utf8.count, extra: [:])
            .sorted { $0.key < $1.key }
        params += extra
        return FastCGIRecord(.beginRequest, requestID: id, content: [0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0]).encoded
            + FastCGIRecord.stream(.params, requestID: id, FastCGIPairs.encode(params))
            + FastCGIRecord(.params, requestID: id).encoded
            + FastCGIRecord.stream(.stdin, requestID: id, Array(body.utf8))
            + FastCGIRecord(.stdin, requestID: id).encoded
    }

    /// Sends `bytes`, then reads records until END_REQUEST or until the responder closes the connection.
    func exchange(_ bytes: [UInt8], on fd: Int32? = nil) throws -> Exchange {
        let connection = try fd ?? connect()
        defer { if fd == nil { close(connection) } }
        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // A connection of its own ends here, as a peer that hangs up; a kept one stays open for more.
        if fd == nil { shutdown(connection, Int32(SHUT_WR)) }
        return Exchange.read(connection)
    }
}

/// What came back on a connection: the records, and the STDOUT stream as text.
struct Exchange {
    var records: [FastCGIRecord] = []
    var closed = false

    var stdout: String { String(decoding: records.filter { $0.kind == .stdout }.flatMap(\.content), as: UTF8.self) }
    var stderr: String { String(decoding: records.filter { $0.kind == .stderr }.flatMap(\.content), as: UTF8.self) }
    var status: Int? { stdout.hasPrefix("Status: ") ? Int(stdout.dropFirst(8).prefix(3)) : nil }
    var end: FastCGIRecord? { records.first { $0.kind == .endRequest } }

    static func read(_ fd: Int32, untilEnd: Bool = true) -> Exchange {
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

@Suite struct FastCGITests {
    let body = #"{"channel": "email", "identifier": "fcgi@example.com"}"#

    @Test func oneProcessAnswersRequestAfterRequestAndOverAKeptConnection() throws {
        let site = try Site(), responder = try Responder("generate", site: site)
        let first = try responder.exchange(responder.request(body))
        #expect(first.status == 200 && first.end?.content[4] == FastCGIRecord.ProtocolStatus.requestComplete.rawValue)
        #expect(first.stderr.contains("generate 200"), "log lines travel as FCGI_STDERR")
        let kept = try responder.connect()
        defer { close(kept) }
        let second = try responder.exchange(responder.request(body, id: 7, keep: true), on: kept)
        let third = try responder.exchange(responder.request(body, id: 8, keep: true), on: kept)
        #expect(second.status == 429 && second.records.allSatisfy { $0.requestID == 7 })
        #expect(third.status == 429 && third.records.allSatisfy { $0.requestID == 8 })
        #expect(responder.process.isRunning)
        #expect(try site.codes(for: "fcgi@example.com").count == 1)
    }

    /// One process behind two virtual hosts (mod_proxy_fcgi can send both to one socket): each request's PARAMS
    /// bring its host's settings, kept per host, and the answers never mix them up.
    @Test func twoVirtualHostsOnOneProcessEachGetTheirOwnSettings() throws {
        let hostA = try Site(), hostB = try Site(["OTP_CODE_LENGTH": "8"])
        let generate = try Responder("generate", site: hostA), verify = try Responder("verify", site: hostA)
        let email = "two-hosts@example.com", body = #"{"channel": "email", "identifier": "two-hosts@example.com"}"#
        for host in [hostA, hostB, hostA, hostB] where try host.codes(for: email).isEmpty {
            #expect(try generate.exchange(generate.request(body, from: host)).status == 200)
        }
        let codeA = try #require(try hostA.codes(for: email).first), codeB = try #require(try hostB.codes(for: email).first)
        #expect(codeA.count == 6 && codeB.count == 8)
        func verifying(_ code: String, at host: Site) throws -> Int? {
            try verify.exchange(verify.request(#"{"channel": "email", "identifier": "\#(email)", "code": "\#(code)"}"#, from: host)).status
        }
        #expect(try verifying(codeB, at: hostA) == 400)
        #expect(try verifying(codeA, at: hostB) == 400)
        #expect(try verifying(codeA, at: hostA) == 200)
        #expect(try verifying(codeB, at: hostB) == 200)
        #expect(generate.process.isRunning && verify.process.isRunning)
    }

    @Test func getValuesSaysOneConnectionAndNoMultiplexing() throws {
        let site = try Site(), responder = try Responder("verify", site: site)
        let asked = FastCGIPairs.encode([("FCGI_MPXS_CONNS", ""), ("FCGI_MAX_CONNS", ""), ("FCGI_UNKNOWN_NAME", "")])
        let answer = try responder.exchange(FastCGIRecord(.getValues, requestID: 0, content: asked).encoded)
        let values = try #require(answer.records.first { $0.kind == .getValuesResult }.flatMap { FastCGIPairs.decode($0.content) })
        #expect(Dictionary(uniqueKeysWithValues: values) == ["FCGI_MPXS_CONNS": "0", "FCGI_MAX_CONNS": "1"])
    }

    @Test func anUnknownManagementRecordGetsUnknownType() throws {
        let site = try Site(), responder = try Responder("verify", site: site)
        let answer = try responder.exchange(FastCGIRecord(type: 42, requestID: 0).encoded)
        #expect(answer.records.first?.kind == .unknownType && answer.records.first?.content.first == 42)
    }

    @Test func aRoleOtherThanResponderIsRefused() throws {
        let site = try Site(), responder = try Responder("verify", site: site)
        let authorizer = FastCGIRecord(.beginRequest, requestID: 3, content: [0, 2, 0, 0, 0, 0, 0, 0]).encoded
        let answer = try responder.exchange(authorizer)
        #expect(answer.end?.content[4] == FastCGIRecord.ProtocolStatus.unknownRole.rawValue && answer.stdout.isEmpty)
    }

    @Test func aSecondRequestOnOneConnectionIsRefusedAndTheFirstAnswered() throws {
        let site = try Site(), responder = try Responder("generate", site: site)
        let request = responder.request(body, id: 1)
        let second = FastCGIRecord(.beginRequest, requestID: 2, content: [0, 1, 0, 0, 0, 0, 0, 0]).encoded
        // BEGIN of request 1, then BEGIN of request 2, then the rest of request 1.
        let fd = try responder.connect()
        defer { close(fd) }
        _ = (Array(request[0..<16]) + second + Array(request[16...])).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer = Exchange.read(fd)
        #expect(answer.end?.requestID == 2 && answer.end?.content[4] == FastCGIRecord.ProtocolStatus.cantMultiplexConnection.rawValue)
        answer = Exchange.read(fd)
        #expect(answer.end?.requestID == 1 && answer.status == 200)
    }

    @Test func anAbortedRequestEndsWithoutAnAnswer() throws {
        let site = try Site(), responder = try Responder("generate", site: site)
        let begin = FastCGIRecord(.beginRequest, requestID: 5, content: [0, 1, 0, 0, 0, 0, 0, 0]).encoded
        let answer = try responder.exchange(begin + FastCGIRecord(.abortRequest, requestID: 5).encoded)
        #expect(answer.end?.requestID == 5 && answer.stdout.isEmpty)
        #expect(try site.codes(for: "fcgi@example.com").isEmpty)
    }

    /// Each peer misbehaves on its own connection; the responder answers or closes it, never crashes, and the
    /// next connection is served normally with its own answer.
    @Test(arguments: ["truncated header", "wrong version", "content beyond the data", "closed mid-record",
                      "padding", "ten thousand params", "a 1 MiB param", "a body past the cap"])
    func aHostilePeerNeverHurtsTheNextRequest(case name: String) throws {
        let site = try Site(), responder = try Responder("generate", site: site)
        let valid = responder.request(body)
        let hostile: [UInt8]
        var expectAnswer: Int?
        switch name {
        case "truncated header": hostile = [1, 1, 0]
        case "wrong version": hostile = [2] + Array(valid.dropFirst())
        case "content beyond the data": hostile = [1, 4, 0, 1, 0xff, 0xff, 0, 0] + Array(repeating: 0x41, count: 100)
        case "closed mid-record": hostile = Array(valid.prefix(valid.count - 12))
        case "padding":
            // Every record with 255 bytes of padding: legal, and answered.
            hostile = FastCGIRecord(.beginRequest, requestID: 1, content: [0, 1, 0, 0, 0, 0, 0, 0]).paddedTo255()
                + FastCGIRecord(.params, requestID: 1, content: FastCGIPairs.encode(
                    site.environment(method: "POST", contentType: "application/json", length: 1, extra: [:]).map { ($0.key, $0.value) })).paddedTo255()
                + FastCGIRecord(.params, requestID: 1).paddedTo255()
                + FastCGIRecord(.stdin, requestID: 1, content: Array("{".utf8)).paddedTo255()
                + FastCGIRecord(.stdin, requestID: 1).paddedTo255()
            expectAnswer = 400
        case "ten thousand params":
            hostile = responder.request(body, params: (0..<10_000).map { ("HTTP_X_\($0)", "v") })
            expectAnswer = 200
        case "a 1 MiB param":
            hostile = responder.request(body, params: [("HTTP_X_BIG", String(repeating: "b", count: 1 << 20))])
        default:
            let big = String(repeating: " ", count: 2 << 20)
            hostile = responder.request(body + big)
        }
        let answer = try responder.exchange(hostile)
        if let expectAnswer {
            #expect(answer.status == expectAnswer, "\(answer.stdout)")
        } else {
            #expect(answer.closed && answer.status == nil, "\(answer.stdout)")
        }
        #expect(responder.process.isRunning)
        let next = try responder.exchange(responder.request(#"{"channel": "email", "identifier": "next@example.com"}"#))
        #expect(next.status == 200 && next.stderr.contains("n***@example.com") && !next.stderr.contains("f***@example.com"))
    }

    /// Issue 19: a peer that sent a byte every 4 s was never dropped (the timeout bounded each read) and the next
    /// client waited. A request must be whole within its deadline from its first byte: the trickler is dropped
    /// unanswered long before its last byte, and the client queued behind it is answered.
    @Test func aPeerTricklingARequestIsDroppedAndTheNextClientAnswered() async throws {
        let site = try Site(), responder = try Responder("generate", site: site)
        let trickled = responder.request(body), trickler = try responder.connect()
        defer { close(trickler) }
        let queued = Task.detached { try responder.exchange(responder.request(#"{"channel": "email", "identifier": "queued@example.com"}"#)) }
        var sent = 0, dropped = false
        while sent < trickled.count && !dropped {
            _ = trickled.withUnsafeBytes { send(trickler, $0.baseAddress! + sent, 1, Int32(MSG_NOSIGNAL)) }
            sent += 1
            usleep(500_000)
            var byte: UInt8 = 0
            let n = recv(trickler, &byte, 1, Int32(MSG_DONTWAIT))
            dropped = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        }
        #expect(dropped && sent < trickled.count, "sent \(sent) of \(trickled.count) bytes")
        let next = try await queued.value
        #expect(next.status == 200 && next.stderr.contains("q***@example.com"))
        #expect(responder.process.isRunning)
    }

    @Test func sigtermFinishesTheRequestInFlightThenExits() throws {
        let site = try Site(), responder = try Responder("generate", site: site)
        let request = responder.request(body)
        let fd = try responder.connect()
        defer { close(fd) }
        let stdin = FastCGIRecord.stream(.stdin, requestID: 1, Array(body.utf8)) + FastCGIRecord(.stdin, requestID: 1).encoded
        let split = request.count - stdin.count
        _ = Array(request[..<split]).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        // The order is read off the process, not guessed with sleeps: it is waiting for the rest of the request
        // (blocked in poll, syscall 7, under the request's deadline) when SIGTERM comes, and has taken the signal
        // before the rest is sent.
        try Self.waitFor(responder.process.pid, "to read the request") { syscall, _ in syscall == "7" }
        kill(responder.process.pid, SIGTERM)
        try Self.waitFor(responder.process.pid, "to take SIGTERM") { _, pending in !pending.contains(SIGTERM) }
        _ = Array(request[split...]).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        let answer = Exchange.read(fd)
        #expect(answer.status == 200)
        #expect(responder.process.stop(0) == 0, "it exits by itself, with status 0")
    }

    @Test func maxRequestsEndsTheProcessAfterThatMany() throws {
        let site = try Site(), responder = try Responder("verify", site: site, environment: ["OTP_FCGI_MAX_REQUESTS": "2"])
        let wrong = #"{"channel": "email", "identifier": "fcgi@example.com", "code": "000000"}"#
        #expect(try responder.exchange(responder.request(wrong)).status == 400)
        #expect(try responder.exchange(responder.request(wrong)).status == 400)
        #expect(responder.process.stop(0) == 0)
    }

    /// Apache passes a query string without "=" as arguments to a CGI program, so `?--listen+...` must not
    /// turn a request into a FastCGI server.
    @Test func argumentsFromACGIRequestAreIgnored() throws {
        let site = try Site()
        let socket = site.directory.appendingPathComponent("evil.sock").path
        let process = Process(), output = Pipe()
        process.executableURL = try Project.executable("verify")
        process.arguments = ["--listen", socket]
        process.environment = site.environment(method: "GET", contentType: nil, length: nil, extra: [:])
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.hasPrefix("Status: 405"))
        #expect(!FileManager.default.fileExists(atPath: socket))
    }
}

extension FastCGIRecord {
    /// The record with the most padding a header can declare.
    func paddedTo255() -> [UInt8] {
        var bytes = Array(encoded.prefix(FastCGIRecord.headerLength + content.count))
        bytes[6] = 255
        return bytes + [UInt8](repeating: 0xee, count: 255)
    }
}

extension LocalApache: StoreInspecting {
    var store: URL { run.appendingPathComponent("store") }

    /// The FastCGI responders mod_fcgid started for this Apache: processes running a cgi-bin executable in this
    /// Apache's process tree (other suites' Apaches run the same executables).
    func responderPIDs() -> [pid_t] {
        ProcessTable.running(["generate", "verify"]).filter { ProcessTable.descends($0, from: apachePID) }
    }
}

/// Apache with mod_fcgid, whatever OTP_TEST_GATEWAY says: responders killed with SIGKILL in the middle of
/// traffic leave the store consistent, and Apache starts new ones for the next requests.
@Suite(.localApache(["OTP_RESEND_COOLDOWN_SECONDS": "0", "OTP_MAX_SENDS_PER_WINDOW": "0", "OTP_IP_MAX_SENDS_PER_WINDOW": "0",
                     "OTP_LOCK_TIMEOUT_MS": "15000"], gateway: .fcgid))
struct FastCGIKillTests {
    @Test func killedRespondersLeaveAConsistentStoreAndAreReplaced() async throws {
        let apache = try LocalApache.running
        let warm = uniqueEmail("warm")
        #expect(try await apache.post("generate", ["channel": "email", "identifier": warm]).status == 200)
        #expect(!apache.responderPIDs().isEmpty, "mod_fcgid keeps a responder process between requests")
        let emails = (0..<60).map { _ in uniqueEmail("kill") }
        let killer = Task {
            var killed = 0
            for _ in 0..<5 {
                try await Task.sleep(nanoseconds: 30_000_000)
                for pid in apache.responderPIDs() where kill(pid, SIGKILL) == 0 { killed += 1 }
            }
            return killed
        }
        let answers = try await withThrowingTaskGroup(of: (String, HTTPAnswer).self) { group in
            for email in emails {
                group.addTask { (email, try await apache.post("generate", ["channel": "email", "identifier": email])) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let killed = try await killer.value
        #expect(killed > 0)
        // A responder serves one request at a time, so each kill breaks at most one request in flight: it gets
        // mod_fcgid's own 500 page ("error reading data from FastCGI server"). A request that finds only killed
        // processes until their replacements start gets its own 503 ("can't apply process slot"). Every other
        // request is sent and answered 200; none gets a 5xx of ours.
        let failed = answers.filter { $0.1.status != 200 }
        #expect(failed.filter { $0.1.status == 500 }.count <= killed, "\(failed.count) failed for \(killed) kills")
        #expect(failed.allSatisfy { answer in
            [(500, "<title>500 Internal Server Error</title>"), (503, "<title>503 Service Unavailable</title>")]
                .contains { answer.1.status == $0.0 && answer.1.body.contains($0.1) }
        }, "\(failed.map { "\($0.1.status) \($0.1.body)" })")
        for (email, answer) in answers where answer.status == 200 { #expect(try apache.outbox.messages(to: email).count == 1) }
        #expect(apache.heldLocks().isEmpty)
        #expect(apache.everyRecordDecodes())
        // mod_fcgid notices dead processes on its scan (FcgidErrorScanInterval, 1 s in our template), so a
        // request in that second may still meet one; by the next scan new responders answer.
        let after = uniqueEmail("after")
        var later: [Int] = []
        for _ in 0..<10 where later.last != 200 {
            if !later.isEmpty { try await Task.sleep(nanoseconds: 500_000_000) }
            later.append(try await apache.post("generate", ["channel": "email", "identifier": after]).status)
        }
        #expect(later.last == 200 && later.count <= 4, "\(later)")
        let code = try apache.outbox.code(for: after)
        #expect(try await apache.post("verify", ["channel": "email", "identifier": after, "code": code]).status == 200)
    }
}

extension FastCGITests {
    /// Polls /proc until `ready` holds for the process's current system call number and its pending signals.
    static func waitFor(_ pid: Int32, _ what: String, ready: (String, Set<Int32>) -> Bool) throws {
        for _ in 0..<5000 {
            let syscall = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? ""
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            var pending = Set<Int32>()
            for line in status.split(separator: "\n") where line.hasPrefix("SigPnd:") || line.hasPrefix("ShdPnd:") {
                let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16) ?? 0
                for signal in 1...64 where mask & (1 << UInt64(signal - 1)) != 0 { pending.insert(Int32(signal)) }
            }
            if ready(syscall, pending) { return }
            usleep(1000)
        }
        throw TestFailure("the responder never came \(what)")
    }
}
