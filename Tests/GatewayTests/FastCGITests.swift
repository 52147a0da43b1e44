// The built executables as FastCGI responders, spoken to over a raw socket: the protocol's management records,
// hostile peers, SIGTERM, OTP_FCGI_MAX_REQUESTS, and the guard that keeps `--listen` out of a client's reach.
import Foundation
import Testing
@testable import Gateway
import TestSupport

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

    /// A peer that sends a byte every half second is never dropped if a timeout bounds each read, and the next
    /// client waits. A request must be whole within its deadline from its first byte: the trickler is dropped
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
            // The next byte goes half a second later, unless the responder hangs up first.
            var hangUp = pollfd(fd: trickler, events: Int16(POLLIN), revents: 0)
            guard poll(&hangUp, 1, 500) > 0 else { continue }
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
        // The order is read off the socket and the process, not guessed with sleeps: the responder has read the
        // first part and waits for the rest when SIGTERM comes, and has taken the signal before the rest is sent.
        try Self.waitUntilPeerRead(fd)
        kill(responder.process.pid, SIGTERM)
        try Self.waitUntilTaken(SIGTERM, by: responder.process.pid)
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

extension FastCGITests {
    /// Returns once the peer of the Unix socket `fd` has read every byte sent on it (SIOCOUTQ, the bytes still in
    /// the peer's receive queue, is 0), asked up to 5,000 times, 1 ms apart.
    static func waitUntilPeerRead(_ fd: Int32) throws {
        for _ in 0..<5000 {
            var unread: Int32 = 0
            guard withUnsafeMutablePointer(to: &unread, { ioctl(fd, UInt(TIOCOUTQ), $0) }) == 0 else {
                throw TestFailure("SIOCOUTQ: errno \(errno)")
            }
            if unread == 0 { return }
            usleep(1000)
        }
        throw TestFailure("the responder never read the request's first part")
    }

    /// Returns once `signal` is no longer pending for `pid` (/proc/PID/status, SigPnd and ShdPnd): the process
    /// has taken it. Asked up to 5,000 times, 1 ms apart.
    static func waitUntilTaken(_ signal: Int32, by pid: Int32) throws {
        for _ in 0..<5000 {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let pending = status.split(separator: "\n").filter { $0.hasPrefix("SigPnd:") || $0.hasPrefix("ShdPnd:") }
                .contains { (UInt64($0.split(separator: "\t").last ?? "", radix: 16) ?? 0) & (1 << UInt64(signal - 1)) != 0 }
            if !status.isEmpty && !pending { return }
            usleep(1000)
        }
        throw TestFailure("the responder never took signal \(signal)")
    }
}
