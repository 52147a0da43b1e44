// A real nginx or lighttpd on a free loopback port, configured from the repo's nginx/, lighttpd/ and systemd/ files,
// with the executables behind it the way each deployment runs them.
import Foundation
import OTP
import Testing

/// The ways the README deploys the executables on a server other than Apache.
public enum Deployment: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Four responders per executable started by spawn-fcgi; nginx opens a connection per request.
    case nginxFastCGI = "nginx, FastCGI, spawn-fcgi"
    /// The same, with fastcgi_keep_conn on and an upstream keepalive pool.
    case nginxKeptFastCGI = "nginx, FastCGI, spawn-fcgi, fastcgi_keep_conn on"
    /// One responder per executable, from systemd/'s socket and service units (run by systemd-socket-activate).
    case nginxSystemd = "nginx, FastCGI, systemd socket units"
    /// Plain CGI behind fcgiwrap: a process per request.
    case nginxFcgiwrap = "nginx, fcgiwrap"
    case lighttpdCGI = "lighttpd, mod_cgi"
    /// Responders that lighttpd starts itself (bin-path) and restarts when they die.
    case lighttpdFastCGI = "lighttpd, mod_fastcgi"

    public var testDescription: String { rawValue }
    public var isNginx: Bool { rawValue.hasPrefix("nginx") }
    /// Whether a process of ours stays between requests.
    public var hasResponders: Bool { self != .nginxFcgiwrap && self != .lighttpdCGI }
}

/// One server of one deployment, its run directory (store, outbox, logs, sockets) and every process it needs;
/// `stop()` ends them all. Its state is set in `init` and only read afterwards, hence `@unchecked Sendable`.
public final class LocalWebServer: LoopbackServer, @unchecked Sendable {
    public let deployment: Deployment
    public let run: URL
    public let port: Int
    /// nginx only: a second server block that proxies to the first from 127.0.0.9, as a load balancer would.
    public let proxyPort: Int
    public static let proxyAddress = "127.0.0.9"
    private var server: ServerProcess?
    /// Process groups of their own: systemd-socket-activate, fcgiwrap.
    private var helpers: [ServerProcess] = []
    /// spawn-fcgi's children, which outlive it.
    private var spawned: [pid_t] = []
    /// The settings that name files, which a responder takes from its own environment only, as the README says.
    private var localResources: [String: String] = [:]

    /// Where the responders' and CGI processes' syslog lines go (OTP_LOG=syslog): a socket in place of /dev/log,
    /// named in each process's own environment (a CGI's is the request's; a responder's, its starter's).
    public private(set) var syslog: DatagramSocket?
    public var store: URL { run.appendingPathComponent("store") }
    public var outbox: Outbox { Outbox(directory: run.appendingPathComponent("outbox")) }
    public var settingsFile: URL { run.appendingPathComponent("settings.conf") }
    private var asRoot: Bool { getuid() == 0 }

    public init(_ deployment: Deployment, settings: [String: String] = [:]) async throws {
        self.deployment = deployment
        run = FileManager.default.temporaryDirectory.appendingPathComponent("otp-web-\(UUID().uuidString.prefix(8))")
        port = try Loopback.freePort()
        proxyPort = try Loopback.freePort()
        do {
            try prepare(settings)
            try startResponders()
            try await startServer()
        } catch {
            stop()
            throw error
        }
    }

    /// The run directory as a deployer lays out theirs: the store and outbox the web user's alone, the settings
    /// (which hold the key) root's alone, read by the server before it drops to that user.
    private func prepare(_ settings: [String: String]) throws {
        for directory in ["store", "outbox", "tmp", "sockets", "logs", "empty"] {
            try FileManager.default.createDirectory(at: run.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        for directory in ["store", "outbox", "sockets"] { chmod(run.appendingPathComponent(directory).path, 0o700) }
        chmod(run.path, 0o755)
        if asRoot {
            for directory in ["store", "outbox", "tmp", "sockets", "logs"] {
                try Project.run("/bin/chown", "www-data:www-data", run.appendingPathComponent(directory).path)
            }
        }
        let syslog = try DatagramSocket(in: run)
        self.syslog = syslog
        let all = ["OTP_STORE_DIR": store.path, "EMAIL_BACKEND": "filebased", "EMAIL_FILE_PATH": outbox.directory.path,
                   "DEFAULT_FROM_EMAIL": "otp@example.com", "OTP_SECRET_KEY": "local-web-server-key-\(UUID().uuidString)",
                   "OTP_SYSLOG_SOCKET": syslog.path]
            .merging(settings) { $1 }.sorted { $0.key < $1.key }
            .filter { !deployment.hasResponders || !SettingsReader.namesLocalResource($0.key) }
        localResources = ["OTP_STORE_DIR": store.path, "EMAIL_FILE_PATH": outbox.directory.path]
            .merging(settings.filter { SettingsReader.namesLocalResource($0.key) }) { $1 }
        guard all.allSatisfy({ !$0.value.contains("\"") && !$0.value.contains("\\") }) else { throw TestFailure("settings need no quoting here") }
        let lines = deployment.isNginx
            ? all.map { "fastcgi_param \($0.key) \"\($0.value)\";\n" }.joined()
            : "setenv.add-environment = (\n" + all.map { "    \"\($0.key)\" => \"\($0.value)\",\n" }.joined() + ")\n"
        guard FileManager.default.createFile(atPath: settingsFile.path, contents: Data(lines.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw TestFailure("cannot write \(settingsFile.path)")
        }
        if deployment.isNginx {
            for name in ["otp-cgi-fastcgi.conf", "otp-cgi-fcgiwrap.conf", "otp-cgi-params.conf", "otp-cgi-too-large.conf"] {
                try copy("nginx/\(name)")
            }
            try nginxConfig().write(to: run.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        } else {
            let conf = try copy(deployment == .lighttpdCGI ? "lighttpd/otp-cgi.conf" : "lighttpd/otp-fastcgi.conf")
            let environment = localResources.map { "\"\($0.key)\" => \"\($0.value)\"" }.sorted().joined(separator: ", ")
            if deployment == .lighttpdFastCGI {
                try conf.replacingOccurrences(of: #""bin-environment" => ( "OTP_STORE_DIR" => "\#(store.path)" )"#,
                                          with: "\"bin-environment\" => ( \(environment) )")
                    .write(to: run.appendingPathComponent("otp-fastcgi.conf"), atomically: true, encoding: .utf8)
            }
            try lighttpdConfig().write(to: run.appendingPathComponent("lighttpd.conf"), atomically: true, encoding: .utf8)
        }
    }

    /// The repo's file with its deployment paths moved into the run directory, nothing else changed.
    @discardableResult
    private func copy(_ file: String) throws -> String {
        let cgiBin = Project.root.appendingPathComponent("cgi-bin").path + "/", here = run.path + "/"
        let text = try String(contentsOf: Project.root.appendingPathComponent(file), encoding: .utf8)
            .replacingOccurrences(of: "/etc/nginx/otp-cgi-settings.conf", with: settingsFile.path)
            .replacingOccurrences(of: "/etc/lighttpd/otp-cgi-settings.conf", with: settingsFile.path)
            .replacingOccurrences(of: "/etc/nginx/snippets/", with: here)
            .replacingOccurrences(of: "/run/fcgiwrap.socket", with: here + "sockets/fcgiwrap.sock")
            .replacingOccurrences(of: "/run/otp-cgi/", with: here)
            .replacingOccurrences(of: "/run/lighttpd/", with: here + "sockets/")
            .replacingOccurrences(of: "/srv/otp-cgi/cgi-bin/", with: cgiBin)
            .replacingOccurrences(of: "/var/lib/otp-cgi", with: store.path)
        try text.write(to: run.appendingPathComponent((file as NSString).lastPathComponent), atomically: true, encoding: .utf8)
        return text
    }

    /// nginx/otp-cgi.conf's shape on loopback: the upstreams, the API server with one of the repo's snippets, and
    /// a front proxy that adds X-Forwarded-For and connects from 127.0.0.9.
    private func nginxConfig() -> String {
        let kept = deployment == .nginxKeptFastCGI
        let upstreams = ["generate", "verify"].map {
            "    upstream otp_\($0) {\n        server unix:\(run.path)/\($0).sock;\n\(kept ? "        keepalive 2;\n" : "")    }\n"
        }.joined()
        let temp = ["client_body", "fastcgi", "proxy", "scgi", "uwsgi"].map { "    \($0)_temp_path \(run.path)/tmp/\($0);\n" }.joined()
        return """
            daemon off;
            worker_processes 1;
            pid \(run.path)/nginx.pid;
            error_log \(run.path)/error.log info;
            \(asRoot ? "user www-data;" : "")
            events { worker_connections 512; }
            http {
                access_log \(run.path)/access.log;
            \(temp)\(upstreams)
                server {
                    listen 127.0.0.1:\(port);
                    fastcgi_keep_conn \(kept ? "on" : "off");
                    include \(run.path)/\(deployment == .nginxFcgiwrap ? "otp-cgi-fcgiwrap.conf" : "otp-cgi-fastcgi.conf");
                }
                server {
                    listen 127.0.0.1:\(proxyPort);
                    location / {
                        proxy_pass http://127.0.0.1:\(port);
                        proxy_bind \(Self.proxyAddress);
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    }
                }
            }

            """
    }

    private func lighttpdConfig() -> String {
        """
        server.document-root = "\(run.path)/empty"
        server.bind = "127.0.0.1"
        server.port = \(port)
        server.pid-file = "\(run.path)/lighttpd.pid"
        server.errorlog = "\(run.path)/logs/error.log"
        server.upload-dirs = ( "\(run.path)/tmp" )
        # The tests' client keeps connections for reuse: lighttpd's 5-second idle close, on a machine busy with
        # other suites, could close one just as a request is sent on it.
        server.max-keep-alive-idle = 120
        \(asRoot ? "server.username = \"www-data\"\nserver.groupname = \"www-data\"" : "")
        include "\(run.path)/\(deployment == .lighttpdCGI ? "otp-cgi.conf" : "otp-fastcgi.conf")"

        """
    }

    /// As a started-as-root service manager would: the web user, no new privileges.
    private var dropToWebUser: [String] {
        asRoot ? ["/usr/bin/setpriv", "--reuid=www-data", "--regid=www-data", "--init-groups", "--no-new-privs", "--"] : []
    }

    private func startResponders() throws {
        switch deployment {
        case .nginxFastCGI, .nginxKeptFastCGI:
            for program in ["generate", "verify"] { spawned += try spawnFCGI(program) }
        case .nginxSystemd:
            for program in ["generate", "verify"] { try activate(program) }
        case .nginxFcgiwrap:
            // Debian's fcgiwrap.service: `fcgiwrap -f` as www-data on its socket unit's path.
            let socket = run.appendingPathComponent("sockets/fcgiwrap.sock").path
            helpers.append(try ServerProcess(dropToWebUser + ["/usr/sbin/fcgiwrap", "-f", "-c", "4", "-s", "unix:\(socket)"],
                                             output: run.appendingPathComponent("fcgiwrap.log")))
            try waitForSocket(socket, started: helpers.last!)
        case .lighttpdCGI, .lighttpdFastCGI: break
        }
    }

    /// The README's spawn-fcgi line: four processes on one socket, run as the web user; returns their pids.
    private func spawnFCGI(_ program: String) throws -> [pid_t] {
        let user = asRoot ? ["-u", "www-data", "-g", "www-data", "-U", "www-data", "-G", "www-data"] : []
        let spawn = try ServerProcess(["/usr/bin/spawn-fcgi", "-s", run.appendingPathComponent("\(program).sock").path, "-M", "0600"]
                                      + user + ["-F", "4", "--", try Project.executable(program).path],
                                      environment: localResources.merging(["PATH": "/usr/bin:/bin", "OTP_SYSLOG_SOCKET": syslog?.path ?? ""]) { $1 },
                                      output: run.appendingPathComponent("\(program)-spawn.log"))
        spawn.stop(0) // it exits once its four children run
        let pids = spawn.output.components(separatedBy: "PID: ").dropFirst().compactMap { pid_t($0.prefix { $0.isNumber }) }
        guard pids.count == 4 else { throw TestFailure("spawn-fcgi: \(spawn.output)") }
        return pids
    }

    /// systemd/otp-PROGRAM.socket and .service as systemd would run them, read from the unit files: the socket at
    /// ListenStream with SocketUser and SocketMode, handed as fd 0 (StandardInput=socket) to ExecStart run as User
    /// with NoNewPrivileges. The sandboxing lines need systemd itself; `systemd-analyze verify` checks them.
    private func activate(_ program: String) throws {
        let socketUnit = try UnitFile(copy("systemd/otp-\(program).socket"))
        let service = try UnitFile(copy("systemd/otp-\(program).service"))
        guard service["StandardInput"] == "socket", service["NoNewPrivileges"] == "yes", service["User"] == "www-data",
              let listen = socketUnit["ListenStream"], let exec = service["ExecStart"] else {
            throw TestFailure("systemd/otp-\(program).*: not a socket-activated responder as the README describes")
        }
        let environment = (service.all("Environment") + ["OTP_SYSLOG_SOCKET=\(syslog?.path ?? "")"] + localResources.map { "\($0.key)=\($0.value)" })
            .map { ["-E", $0] }.flatMap { $0 }
        // systemd keeps the socket open and starts the service again when it dies (Restart=, and the socket's
        // next connection): a shell that holds the socket as fd 0 and runs ExecStart again does the same, so
        // connections queued on the socket are answered by the next process.
        let activator = try ServerProcess(["/usr/bin/systemd-socket-activate", "--inetd", "-l", listen] + environment
                                          + ["--", "/bin/sh", "-c", "while :; do \"$@\"; done", "sh"]
                                          + dropToWebUser + exec.split(separator: " ").map(String.init),
                                          output: run.appendingPathComponent("\(program)-activate.log"))
        helpers.append(activator)
        try waitForSocket(listen, started: activator)
        if asRoot, let user = socketUnit["SocketUser"], let mode = socketUnit["SocketMode"] {
            try Project.run("/bin/chown", "\(user):\(socketUnit["SocketGroup"] ?? user)", listen)
            try Project.run("/bin/chmod", mode, listen)
        }
    }

    private func waitForSocket(_ path: String, started process: ServerProcess) throws {
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: path) {
            guard process.isRunning, Date() < deadline else { throw TestFailure("\(process.name) did not listen:\n\(process.output)") }
            usleep(10_000)
        }
    }

    private func startServer() async throws {
        let arguments = deployment.isNginx
            ? ["/usr/sbin/nginx", "-p", run.path, "-c", run.appendingPathComponent("nginx.conf").path]
            : ["/usr/sbin/lighttpd", "-D", "-f", run.appendingPathComponent("lighttpd.conf").path]
        // lighttpd's bin-path responders inherit its environment.
        let server = try ServerProcess(arguments, environment: ["OTP_SYSLOG_SOCKET": syslog?.path ?? ""], output: run.appendingPathComponent("stderr.log"))
        self.server = server
        let pidFile = run.appendingPathComponent(deployment.isNginx ? "nginx.pid" : "lighttpd.pid")
        try await server.waitWhileRunning { [port, proxyPort, isNginx = deployment.isNginx] in
            (try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == String(server.pid)
                && Loopback.accepts(port: port) && (!isNginx || Loopback.accepts(port: proxyPort))
        }
    }

    /// The server and everything started for it; nothing of this run is left behind.
    public func stop() {
        let left = processes(running: ["generate", "verify"])
        server?.stop(group: true)
        for helper in helpers { helper.stop(SIGKILL, group: true) }
        // Not our children once spawn-fcgi exited: whoever adopted them reaps them, so dead means a zombie.
        for pid in spawned where kill(pid, SIGKILL) == 0 {
            while ProcessTable.isAlive(pid) { usleep(5_000) }
        }
        for pid in left { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: run)
    }

    /// The pids running a cgi-bin executable for this server: spawn-fcgi's children, or descendants of the server
    /// and its helpers (lighttpd's responders and CGI processes, fcgiwrap's, systemd-socket-activate's).
    public func responderPIDs() -> [pid_t] { processes(running: ["generate"]) }

    private func processes(running programs: [String]) -> [pid_t] {
        let roots = [server?.pid].compactMap { $0 } + helpers.map(\.pid)
        return ProcessTable.running(programs).filter { pid in
            spawned.contains(pid) || roots.contains(pid) || roots.contains { ProcessTable.descends(pid, from: $0) }
        }
    }

    /// An HTTP/1.1 POST from a given loopback address (127.0.0.0/8 is all ours), to the API server or to the front
    /// proxy: the tests' way to be many clients. The status and the raw answer.
    public func post(_ endpoint: String, _ body: String, from source: String, viaProxy: Bool = false,
              headers: [String: String] = [:]) throws -> (status: Int, text: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var local = sockaddr_in(), remote = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(viaProxy ? proxyPort : port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connected = withUnsafePointer(to: &local) { l in withUnsafePointer(to: &remote) { r in
            l.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } == 0
                && r.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } == 0
        } }
        guard connected else { throw TestFailure("connect from \(source): errno \(errno)") }
        let head = "POST /api/otp/\(endpoint) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
            + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "Content-Length: \(body.utf8.count)\r\n\r\n"
        let request = Array((head + body).utf8)
        guard request.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw TestFailure("send: errno \(errno)")
        }
        let text = Loopback.readToEnd(fd)
        guard let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap({ Int($0) }) else {
            throw TestFailure("no status line: \(text)")
        }
        return (status, text)
    }
}

/// A systemd unit file's `Key=value` lines, read as systemd reads the simple ones (no continuation lines).
public struct UnitFile {
    private let entries: [(String, String)]

    public init(_ text: String) throws {
        entries = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    public subscript(key: String) -> String? { entries.last { $0.0 == key }?.1 }
    public func all(_ key: String) -> [String] { entries.filter { $0.0 == key }.map(\.1) }
}

/// Processes by what they run and by ancestry, from /proc: servers' children are not the test runner's.
public enum ProcessTable {
    /// The pids whose executable is one of the cgi-bin programs named.
    public static func running(_ programs: [String]) -> [pid_t] {
        let executables = Set(programs.compactMap { try? Project.executable($0).path })
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
        return pids.filter { pid in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")).map(executables.contains) ?? false
        }
    }

    /// Running, not gone or a zombie waiting for its parent.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    public static func descends(_ pid: pid_t, from ancestor: pid_t) -> Bool {
        var current = pid
        for _ in 0..<8 {
            guard let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = pid_t(fields[1]) else { return false }
            if parent == ancestor { return true }
            current = parent
        }
        return false
    }
}
