// Debian's stock Apache configuration, copied from /etc/apache2 for one test and changed only where a test must
// differ from a server: its own ports, and its own run, lock and log directories. The README's deployment routes
// are followed on it word for word, with a2enmod, a2ensite and apache2ctl working on the copy (APACHE_CONFDIR).
import Foundation
import Testing

public final class StockApache: LoopbackServer, @unchecked Sendable {
    /// Everything of this instance: etc/ (the copy of /etc/apache2), run/, lock/, log/, and what a route installs.
    public let root: URL
    /// Where ports.conf's `Listen 80` and `Listen 443` (with mod_ssl) go instead.
    public let port: Int
    public let tlsPort: Int
    public var etc: URL { root.appendingPathComponent("etc") }
    public var logs: URL { root.appendingPathComponent("log") }
    private var process: ServerProcess?
    /// Processes a route started on its own (spawn-fcgi's daemons), stopped with Apache.
    private var daemons: [pid_t] = []

    /// `whileHoldingEtc`: the caller holds the /etc/apache2 lock already (the package test).
    public init(whileHoldingEtc: Bool = false) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("otp-stock-\(UUID().uuidString.prefix(8))")
        port = try Loopback.freePort()
        tlsPort = try Loopback.freePort()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if whileHoldingEtc {
            try shell("cp -a /etc/apache2 \"\(etc.path)\"")
        } else {
            let lock = try await Self.lockEtc(exclusive: false)
            defer { close(lock) }
            try shell("cp -a /etc/apache2 \"\(etc.path)\"")
        }
        for directory in ["run", "lock", "log", "state"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        // Apache's children run as www-data and must traverse them, whatever umask the test process has this
        // instant (the file store sets 077 for a moment while it makes a directory).
        for directory in ["", "run", "lock", "log", "state"] { chmod(root.appendingPathComponent(directory).path, 0o755) }
        let envvars = etc.appendingPathComponent("envvars")
        try String(contentsOf: envvars, encoding: .utf8)
            .replacingOccurrences(of: "/var/run/apache2", with: root.appendingPathComponent("run").path)
            .replacingOccurrences(of: "/var/lock/apache2", with: root.appendingPathComponent("lock").path)
            .replacingOccurrences(of: "/var/log/apache2", with: logs.path)
            .write(to: envvars, atomically: true, encoding: .utf8)
        try """
            Listen 127.0.0.1:\(port)
            <IfModule ssl_module>
                Listen 127.0.0.1:\(tlsPort)
            </IfModule>

            """.write(to: etc.appendingPathComponent("ports.conf"), atomically: true, encoding: .utf8)
    }

    /// The paths a route names, as they are in this instance: what the README puts in /srv, /var/lib, /run and
    /// /etc/apache2 lives under `root`, and the host is localhost.
    public func localized(_ text: String) -> String {
        [("/etc/apache2", etc.path), ("/srv/otp-cgi", root.appendingPathComponent("srv/otp-cgi").path),
         ("/var/lib/otp-cgi", root.appendingPathComponent("lib/otp-cgi").path),
         ("/etc/otp-cgi", root.appendingPathComponent("etc-otp-cgi").path),
         ("/run/otp-cgi", root.appendingPathComponent("run-otp-cgi").path),
         ("/var/log/apache2", logs.path),
         ("/etc/ssl/private/", root.appendingPathComponent("ssl").path + "/"), ("/etc/ssl/certs/", root.appendingPathComponent("ssl").path + "/"),
         ("otp.example.org", "localhost")]
            .reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// Runs a command line as the README's reader types it in the project's directory, on this instance's
    /// configuration; a non-zero exit fails with what it printed.
    @discardableResult
    public func shell(_ line: String) throws -> String {
        let (status, output) = try run(line)
        guard status == 0 else { throw TestFailure("\(line) exited with \(status):\n\(output)") }
        return output
    }

    public func run(_ line: String) throws -> (Int32, String) {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask 022; cd \"$0\" && \(line)", Project.root.path]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["APACHE_CONFDIR": etc.path, "APACHE_STATE_DIRECTORY": root.appendingPathComponent("state").path]) { $1 }
        process.currentDirectoryURL = root
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Edits a file of the instance, as the reader does in an editor.
    public func edit(_ path: String, _ change: (String) throws -> String) throws {
        let url = URL(fileURLWithPath: path)
        try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: false, encoding: .utf8)
    }

    /// Starts spawn-fcgi as the README does (it forks into the background) and remembers its children to stop them.
    public func spawnDaemons(_ line: String) throws {
        // Through ServerProcess, which passes no descriptor of the test runner on: a daemon holding a pipe another
        // command reads to its end would hang that read forever.
        let log = root.appendingPathComponent("spawn-\(daemons.count).log")
        let spawner = try ServerProcess(["/bin/sh", "-c", "umask 022; " + line], output: log)
        guard spawner.stop(0) == 0 else { throw TestFailure("\(line) failed:\n\(spawner.output)") }
        let output = spawner.output
        let pids = output.components(separatedBy: "PID: ").dropFirst().compactMap { pid_t($0.prefix { $0.isNumber }) }
        guard !pids.isEmpty else { throw TestFailure("no PID in: \(output)") }
        daemons += pids
    }

    /// What `systemctl restart apache2` does for a server: apache2ctl (which reads envvars and makes the run
    /// directories), here with Apache in the foreground on this instance's ports.
    public func start() async throws {
        for site in try FileManager.default.contentsOfDirectory(atPath: etc.appendingPathComponent("sites-available").path) {
            try edit(etc.appendingPathComponent("sites-available/\(site)").path) {
                $0.replacingOccurrences(of: "*:80>", with: "*:\(port)>").replacingOccurrences(of: "*:443>", with: "*:\(tlsPort)>")
            }
        }
        let apache = try ServerProcess(["/bin/sh", "-c", "umask 022; exec /usr/sbin/apache2ctl -D FOREGROUND"], environment: ["APACHE_CONFDIR": etc.path],
                                       output: root.appendingPathComponent("stderr.log"))
        process = apache
        try await apache.waitWhileRunning { [port] in apachePID.map(ProcessTable.isAlive) == true && Loopback.accepts(port: port) }
    }

    /// Apache's own process (apache2ctl's shell is its parent).
    public var apachePID: pid_t? {
        (try? String(contentsOf: root.appendingPathComponent("run/apache2.pid"), encoding: .utf8))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Stops Apache and the route's daemons, waits until they are gone, and removes everything of this instance.
    public func stop() {
        let apache = apachePID
        process?.stop(SIGTERM, group: true)
        let all = daemons + (apache.map { [$0] } ?? [])
        for pid in daemons { kill(pid, SIGTERM) }
        for pid in all {
            for _ in 0..<3000 where ProcessTable.isAlive(pid) { usleep(10_000) }
            if ProcessTable.isAlive(pid) { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: root)
    }

    public func log(_ name: String) -> String { (try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? "" }

    /// curl, for HTTPS with a self-signed certificate: the request as the README shows it, to this instance.
    public func curl(_ arguments: [String]) throws -> HTTPAnswer {
        let (status, output) = try run((["curl", "-s", "-i", "-k", "--max-time", "60", "--resolve", "localhost:\(port):127.0.0.1",
                                         "--resolve", "localhost:\(tlsPort):127.0.0.1"] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " "))
        guard status == 0, let split = output.range(of: "\r\n\r\n") else { throw TestFailure("curl \(arguments) failed (\(status)): \(output)") }
        let lines = output[..<split.lowerBound].components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let code = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        return HTTPAnswer(status: code, headers: headers, body: String(output[split.upperBound...]))
    }

    /// A copy taken while the package test has the real /etc/apache2 changed would not be Debian's stock: copies
    /// share this lock, and the package test holds it alone from install to purge. The caller closes the descriptor.
    /// Polled, not blocking: a blocked thread of the test pool (two on this machine) could be the one the holder
    /// needs to finish.
    public static func lockEtc(exclusive: Bool) async throws -> Int32 {
        let fd = open("/tmp/otp-cgi-etc-apache2.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw TestFailure("cannot open the /etc/apache2 lock: errno \(errno)") }
        while flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { close(fd); throw TestFailure("flock: errno \(errno)") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return fd
    }
}

/// The docs' text (README.md, docs/*.md, bench/README.md), to check that a test runs the very lines a reader is
/// told to type, on whichever page they are.
public enum README {
    public static let text = {
        let docs = ((try? FileManager.default.contentsOfDirectory(atPath: Project.root.appendingPathComponent("docs").path)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        return (["README.md", "bench/README.md"] + docs)
            .map { (try? String(contentsOf: Project.root.appendingPathComponent($0), encoding: .utf8)) ?? "" }.joined(separator: "\n")
    }()

    /// Fails the test unless the docs say `line` word for word (however it is indented).
    public static func says(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let found = words(text).contains(words(line))
        #expect(found, "the docs no longer say: \(line)", sourceLocation: sourceLocation)
        return line
    }

    private static func words(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
