// `--workers N`: one socket served by N responder processes, so that a request waiting on a slow provider holds
// one of them and not the requests behind it.
import Foundation
import Testing
@testable import Gateway
import TestSupport

@Suite struct FastCGIWorkersTests {
    /// Two emails wait at a relay that holds each message until the test lets it go; an SMS (the console, no
    /// provider) sent after them is answered while neither email has had an answer; then both are. Both emails
    /// are queued while every worker is stopped and one worker is woken first: it takes one connection, and the
    /// other stays in the queue for the next worker rather than behind the held email. The order is read off the
    /// sockets, not off a clock. SIGTERM to the parent ends every worker, and the parent exits 0.
    @Test func anSMSIsAnsweredWhileEmailsWaitOnASlowRelay() throws {
        _ = README.says("The service runs `generate --workers 4`")
        let site = try Site()
        let release = site.directory.appendingPathComponent("release-relay")
        let relay = try FakeServer("smtp_server.py", in: site, ["--mode", "plain", "--hold-until", release.path])
        site.settings.merge(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": "\(relay.port)"]) { $1 }
        let responder = try Responder("generate", site: site, arguments: ["--workers", "3"])
        let workers = try Self.children(of: responder.process.pid, count: 3)

        var emails: [Int32] = []
        defer { emails.forEach { close($0) } }
        workers.forEach { kill($0, SIGSTOP) }
        for n in 1...2 {
            let fd = try responder.connect()
            emails.append(fd)
            let request = responder.request(#"{"channel": "email", "identifier": "slow\#(n)@example.com"}"#)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        func held() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: relay.records.path)) ?? []).filter { $0.hasSuffix(".held") }.count }
        kill(workers[0], SIGCONT)
        try Self.poll("one email at the relay") { held() == 1 }
        workers.dropFirst().forEach { kill($0, SIGCONT) }
        try Self.poll("both emails at the relay") { held() == 2 }

        let sms = try responder.exchange(responder.request(#"{"channel": "sms", "identifier": "+14155550188"}"#))
        #expect(sms.status == 200, "\(sms.stdout)")
        for fd in emails {
            var byte: UInt8 = 0
            #expect(recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == -1 && errno == EAGAIN, "an email was answered before the SMS")
        }

        #expect(FileManager.default.createFile(atPath: release.path, contents: Data()))
        for fd in emails {
            let answer = Exchange.read(fd)
            #expect(answer.status == 200 && answer.stdout.contains("OTP sent"), "\(answer.stdout)")
        }
        #expect(responder.process.stop(SIGTERM) == 0)
        #expect(workers.allSatisfy { !ProcessTable.isAlive($0) })
    }

    /// A worker that ends (killed here; after OTP_FCGI_MAX_REQUESTS the same) is replaced, so the socket keeps N.
    @Test func aWorkerThatEndsIsReplaced() throws {
        let site = try Site(), responder = try Responder("verify", site: site, arguments: ["--workers", "2"])
        let before = try Self.children(of: responder.process.pid, count: 2)
        kill(before[0], SIGKILL)
        try Self.poll("a new worker") {
            let now = Self.workers(of: responder.process.pid)
            return now.count == 2 && !now.contains(before[0])
        }
        let wrong = #"{"channel": "email", "identifier": "fcgi@example.com", "code": "000000"}"#
        #expect(try responder.exchange(responder.request(wrong)).status == 400)
        #expect(responder.process.stop(SIGTERM) == 0)
    }

    /// A parent killed outright (SIGKILL, the OOM killer) runs no handler to stop its workers: each reads the end of
    /// a pipe only the parent held, and stops as on SIGTERM, rather than serve on with no one to replace it.
    @Test func workersEndWithTheirParentKilledOutright() throws {
        let site = try Site(), responder = try Responder("verify", site: site, arguments: ["--workers", "2"])
        let workers = try Self.children(of: responder.process.pid, count: 2)
        kill(responder.process.pid, SIGKILL)
        try Self.poll("exit of both workers") { workers.allSatisfy { !ProcessTable.isAlive($0) } }
    }

    @Test(arguments: ["0", "257", "x"])
    func aWorkerCountOutOfRangeIsRefused(count: String) throws {
        let site = try Site()
        #expect(throws: TestFailure.self) { _ = try Responder("verify", site: site, arguments: ["--workers", count]) }
    }

    /// Without a socket to serve, the workers would each fail at once: the parent says so instead, and forks none.
    @Test func withoutASocketWorkersIsAUsageError() throws {
        let process = Process(), output = Pipe()
        process.executableURL = try Project.executable("verify")
        process.arguments = ["--workers", "2"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2 && said == "otp-cgi: verify: --workers needs a socket to serve: one on fd 0 (spawn-fcgi, systemd) or --listen ADDRESS\n", "\(said)")
    }

    static func workers(of parent: pid_t) -> [pid_t] {
        ProcessTable.running(["generate", "verify"]).filter { ProcessTable.isAlive($0) && ProcessTable.descends($0, from: parent) }
    }

    static func children(of parent: pid_t, count: Int) throws -> [pid_t] {
        try poll("\(count) workers") { workers(of: parent).count == count }
        return workers(of: parent)
    }

    /// A condition polled a bounded number of times (ten seconds' worth), never a fixed wait.
    static func poll(_ what: String, _ condition: () -> Bool) throws {
        for _ in 0..<1000 {
            if condition() { return }
            usleep(10_000)
        }
        throw TestFailure("no \(what)")
    }
}
