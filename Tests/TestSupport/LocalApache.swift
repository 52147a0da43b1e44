// A real Apache from apache/local.conf.in on a free loopback port, one per suite, and the outbox it writes to.
import Foundation
import Testing

/// How Apache reaches the executables in this run of the tests: `OTP_TEST_GATEWAY` is `cgi` (the default),
/// `fcgid` (the same executables as FastCGI responders under mod_fcgid; on shared hosting, renamed to .fcgi) or
/// `proxy-fcgi` (responders started by spawn-fcgi on Unix sockets, reached through mod_proxy_fcgi).
public enum TestGateway: String, Sendable {
    case cgi, fcgid, proxyFastCGI = "proxy-fcgi"

    public static let current = TestGateway(rawValue: ProcessInfo.processInfo.environment["OTP_TEST_GATEWAY"] ?? "cgi") ?? .cgi
}

/// Started by the `.localApache(...)` trait around a suite and stopped when the suite ends. Its state is set in
/// `init` and only read afterwards, hence `@unchecked Sendable`.
public final class LocalApache: LoopbackServer, @unchecked Sendable {
    @TaskLocal public static var current: LocalApache?

    /// The instance of the suite being run; a test outside such a suite fails here with a clear message.
    public static var running: LocalApache {
        get throws {
            guard let current else { throw TestFailure("this test needs its suite to carry .localApache()") }
            return current
        }
    }

    public let run: URL
    public let port: Int
    private let process: ServerProcess
    public var apachePID: pid_t { process.pid }
    private var responders: [ServerProcess] = []
    public var outbox: Outbox { Outbox(directory: run.appendingPathComponent("outbox")) }

    /// `settings` become SetEnv lines where a deployment would put them: the run directory's extra.conf, or with
    /// `sharedHosting` the .htaccess of a web root holding apache/htaccess (its store set to the run's) and the
    /// executables in otp-cgi/.
    public init(settings: [String: String] = [:], sharedHosting: Bool = false, gateway: TestGateway = .current) async throws {
        let executables = try ["generate", "verify"].map(Project.executable)
        run = FileManager.default.temporaryDirectory.appendingPathComponent("otp-apache-\(UUID().uuidString.prefix(8))")
        port = try Loopback.freePort()
        try Project.run(Project.root.appendingPathComponent("apache/local-config").path, run.path, String(port))
        let lines = settings.sorted { $0.key < $1.key }.map { "SetEnv \($0.key) \"\($0.value)\"\n" }.joined()
        if sharedHosting {
            let htdocs = run.appendingPathComponent("htdocs"), bin = htdocs.appendingPathComponent("otp-cgi")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            // Links, not copies: a copy's write descriptor, inherited by a process another suite starts meanwhile,
            // would make exec fail with ETXTBSY.
            for executable in executables {
                // With mod_fcgid, renaming is all a shared-hosting user does to switch.
                let name = executable.lastPathComponent + (gateway == .fcgid ? ".fcgi" : "")
                try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent(name), withDestinationURL: executable)
            }
            let htaccess = try String(contentsOf: Project.root.appendingPathComponent("apache/htaccess"), encoding: .utf8)
                .replacingOccurrences(of: "SetEnv OTP_STORE_DIR /home/you/otp-store", with: "SetEnv OTP_STORE_DIR \"\(run.path)/store\"")
                .replacingOccurrences(of: "SetEnv OTP_SECRET_KEY_FILE /home/you/otp-secret.key",
                                      with: "SetEnv OTP_SECRET_KEY_FILE \"\(run.path)/secret.key\"")
            try (htaccess + lines).write(to: htdocs.appendingPathComponent(".htaccess"), atomically: true, encoding: .utf8)
        } else {
            try lines.write(to: run.appendingPathComponent("extra.conf"), atomically: true, encoding: .utf8)
        }
        var defines = sharedHosting ? ["-D", "SharedHosting"] : []
        switch gateway {
        case .cgi: break
        case .fcgid: defines += ["-D", "FastCGI"]
        case .proxyFastCGI:
            defines += ["-D", "ProxyFastCGI"]
            let run = self.run
            responders = try executables.map { try Self.spawnResponder($0, in: run) }
        }
        process = try ServerProcess(["/usr/sbin/apache2", "-f", run.appendingPathComponent("apache.conf").path, "-D", "FOREGROUND"]
                                   + defines, output: run.appendingPathComponent("stderr.log"))
        // Its pid file says the port is this Apache's and not another program's.
        let pidFile = run.appendingPathComponent("apache2.pid"), pid = process.pid
        do {
            try await process.waitWhileRunning { [port] in
                (try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == String(pid)
                    && Loopback.accepts(port: port)
            }
        } catch {
            let log = (try? String(contentsOf: run.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
            stop()
            throw log.contains("Address already in use") ? PortTaken() : TestFailure("\(error)\n\(log)")
        }
    }

    /// Another program may take the free port before Apache binds it; then a new one is tried.
    public static func start(settings: [String: String], sharedHosting: Bool, gateway: TestGateway = .current) async throws -> LocalApache {
        for _ in 1..<3 {
            do { return try await LocalApache(settings: settings, sharedHosting: sharedHosting, gateway: gateway) } catch is PortTaken {}
        }
        return try await LocalApache(settings: settings, sharedHosting: sharedHosting, gateway: gateway)
    }

    public struct PortTaken: Error {}

    /// SIGTERM: the parent stops its children (the CGI daemon included) before it exits.
    public func stop() {
        process.stop()
        for responder in responders { responder.stop() }
        try? FileManager.default.removeItem(at: run)
    }

    /// spawn-fcgi, as a deployer would use it: it binds RUN/NAME.sock, hands it to the executable as fd 0 (the
    /// FastCGI convention) and, when started as root, runs it as the web server's user. `-n` keeps it in the
    /// foreground, so stopping it stops the responder.
    public static func spawnResponder(_ executable: URL, in run: URL) throws -> ServerProcess {
        let socket = run.appendingPathComponent(executable.lastPathComponent + ".sock").path
        let user = getuid() == 0 ? ["-u", "www-data", "-g", "www-data", "-U", "www-data", "-G", "www-data"] : []
        let responder = try ServerProcess(["/usr/bin/spawn-fcgi", "-n", "-s", socket, "-M", "0600"] + user + ["--", executable.path],
                                          output: run.appendingPathComponent(executable.lastPathComponent + "-responder.log"))
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socket) {
            guard responder.isRunning, Date() < deadline else { throw TestFailure("spawn-fcgi did not start:\n\(responder.output)") }
            usleep(20_000)
        }
        return responder
    }
}

/// Starts one Apache for the suite it is attached to (not for each test) and stops it when the suite ends.
public struct LocalApacheTrait: SuiteTrait, TestScoping {
    public let settings: [String: String]
    public let sharedHosting: Bool
    public let gateway: TestGateway

    public func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let apache = try await LocalApache.start(settings: settings, sharedHosting: sharedHosting, gateway: gateway)
        defer { apache.stop() }
        try await LocalApache.$current.withValue(apache) { try await function() }
    }
}

extension Trait where Self == LocalApacheTrait {
    public static func localApache(_ settings: [String: String] = [:], sharedHosting: Bool = false, gateway: TestGateway = .current) -> Self {
        LocalApacheTrait(settings: settings, sharedHosting: sharedHosting, gateway: gateway)
    }
}

/// The filebased email backend's directory, as a person reading their mail would.
public struct Outbox {
    public let directory: URL

    /// How many messages it holds: one directory read, cheap enough to poll.
    public var count: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") }.count
    }

    /// Each message to `address`, oldest first.
    public func messages(to address: String) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map {
            try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }.filter { $0.contains("\r\nTo: \(address)\r\n") }
    }

    /// The newest code sent to `address`.
    public func code(for address: String) throws -> String {
        guard let message = try messages(to: address).last, let text = message.components(separatedBy: "code is: ").last else {
            throw TestFailure("no message to \(address) in \(directory.path)")
        }
        return String(text.prefix { $0.isNumber })
    }
}

/// A fresh address per test, so that tests sharing one server never share a record.
public func uniqueEmail(_ tag: String = "t") -> String { "\(tag)-\(UUID().uuidString.prefix(8).lowercased())@example.com" }
