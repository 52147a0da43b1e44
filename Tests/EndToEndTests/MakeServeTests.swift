// `make serve` as a person runs it: the test page on the chosen PORT, each sent message printed in the terminal,
// and after Ctrl-C nothing left running.
import Foundation
import Testing

@Suite struct MakeServeTests {
    /// `-o build` skips the build step only: a release build inside a test takes minutes and contends for
    /// .build, and every end-to-end suite needs the executables built already.
    @Test func servesOnItsPortPrintsMessagesAndStopsOnCtrlC() async throws {
        _ = try ["generate", "verify"].map(Project.executable)
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("otp-serve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: run) }
        let port = try Loopback.freePort(), server = LoopbackPort(port: port)
        let serve = try ServerProcess(["/usr/bin/make", "-C", Project.root.path, "-o", "build", "serve", "PORT=\(port)"],
                                     environment: ["RUN_DIR": run.path, "MAKEFLAGS": ""],
                                     output: run.appendingPathComponent("terminal.txt"))
        defer { serve.stop(SIGKILL, group: true) }
        try await serve.waitWhileRunning { Loopback.accepts(port: port) }
        #expect(serve.output.contains("otp-cgi on http://127.0.0.1:\(port)/"))

        let page = try await server.get("")
        #expect(page.status == 200 && page.body.contains(#"action="/api/otp/generate""#))
        let site = try await server.get("site/")
        #expect(site.status == 200 && site.body.contains(#"name="next" value="http://127.0.0.1:\#(port)/site/""#))
        let email = uniqueEmail("serve")
        #expect(try await server.post("generate", ["channel": "email", "identifier": email]).status == 200)
        #expect(try await server.post("generate", ["channel": "sms", "identifier": "+14155550123"]).status == 200)
        try await serve.waitWhileRunning {
            serve.output.contains("To: \(email)") && serve.output.contains("otp-cgi: console sms backend: to +14155550123: ")
        }

        serve.stop(SIGINT, group: true)
        #expect(!Loopback.accepts(port: port))
        #expect(Self.processes(mentioning: run.path) == [])
    }

    /// `make stop` from another terminal: Apache's pid file names it, and `make serve` ends with it.
    @Test func makeStopFromAnotherTerminalEndsIt() async throws {
        _ = try ["generate", "verify"].map(Project.executable)
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("otp-serve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: run) }
        let port = try Loopback.freePort()
        let serve = try ServerProcess(["/usr/bin/make", "-C", Project.root.path, "-o", "build", "serve", "PORT=\(port)"],
                                     environment: ["RUN_DIR": run.path, "MAKEFLAGS": ""],
                                     output: run.appendingPathComponent("terminal.txt"))
        defer { serve.stop(SIGKILL, group: true) }
        try await serve.waitWhileRunning { Loopback.accepts(port: port) }
        #expect(serve.output.contains("(Ctrl-C or make stop stops it)"))

        let stop = try ServerProcess(["/usr/bin/make", "-s", "-C", Project.root.path, "stop"], environment: ["RUN_DIR": run.path, "MAKEFLAGS": ""],
                                    output: run.appendingPathComponent("other-terminal.txt"))
        #expect(stop.stop(0) == 0)
        #expect(stop.output.hasPrefix("stop: stopped Apache (pid "))
        #expect(!Loopback.accepts(port: port))
        let deadline = Date().addingTimeInterval(60)
        while serve.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(!serve.isRunning)
        #expect(Self.processes(mentioning: run.path) == [])
    }

    /// The command lines of running processes that contain `text`.
    static func processes(mentioning text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(text) ? line : nil
        }
    }
}
