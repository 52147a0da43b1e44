// `make serve` as a person runs it: the test page on the chosen PORT, each sent message printed in the terminal,
// and after Ctrl-C nothing left running.
import Foundation
import Testing
import TestSupport

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

    /// Apache started as root reads its configuration as root, so the user the CGIs run as (www-data)
    /// may write none of it, nor the directory that holds it; it gets the store, the outbox and the site's seen
    /// tokens, and may read the store's key but not the token key. A run directory that an older version gave to
    /// www-data is taken back.
    @Test(.enabled(if: getuid() == 0, "Apache drops to www-data only when started as root"))
    func asRootTheCGIUserCanWriteNothingApacheReadsAsConfiguration() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("otp-config-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: run) }
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try Data("SetEnv X 1\n".utf8).write(to: run.appendingPathComponent("extra.conf"))
        try Project.run("/bin/chown", "-R", "www-data:www-data", run.path)
        try Project.run(Project.root.appendingPathComponent("apache/local-config").path, run.path, "8080")
        func www(_ test: String, _ name: String) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "www-data", "--", "test", test, run.appendingPathComponent(name).path]
            try? process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        for name in ["", "apache.conf", "extra.conf", "token.conf", "secret.key"] {
            #expect(!www("-w", name), "www-data can write \(name.isEmpty ? "the run directory" : name)")
        }
        for name in ["store", "outbox", "site-seen"] { #expect(www("-w", name), "www-data cannot write \(name)") }
        #expect(www("-r", "secret.key") && !www("-r", "token.conf"))
        let conf = try String(contentsOf: run.appendingPathComponent("apache.conf"), encoding: .utf8)
        #expect(conf.contains("SetEnv OTP_SECRET_KEY_FILE \"\(run.path)/secret.key\""))
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
        // make serve ends once its Apache has: looked for up to 3,000 times, 20 ms apart.
        for _ in 0..<3000 where serve.isRunning { try await Task.sleep(nanoseconds: 20_000_000) }
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
