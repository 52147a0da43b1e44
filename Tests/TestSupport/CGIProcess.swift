// Runs the built cgi-bin executables exactly as a web server does: a CGI environment, the body on stdin.
import Foundation
import Testing

/// The parsed answer of one CGI run.
public struct CGIAnswer {
    public let status: Int
    public let headers: [String: String]
    public let json: [String: Any]
    public let stderr: String
    /// Everything after the header block, byte for byte.
    public var body = ""

    public var detail: String? { json["detail"] as? String }
}

public enum Project {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The tests run what `make build` made, never a debug build, so they prove what is deployed; and never
    /// executables older than the sources, which a plain `swift test` after an edit would otherwise test.
    public static func executable(_ name: String) throws -> URL {
        let url = root.appendingPathComponent("cgi-bin/\(name)")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestFailure("\(url.path) is missing: run `make build` first (make test does)")
        }
        if let stale = staleSource { throw TestFailure("cgi-bin/ is older than \(stale): run `make build` first (make test does)") }
        return url
    }

    /// A source file (or Package.swift) changed after cgi-bin/generate or cgi-bin/verify was built, if any.
    public static let staleSource: String? = {
        let files = FileManager.default
        func modified(_ path: String) -> Date? { (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date }
        let built = ["generate", "verify"].compactMap { modified(root.appendingPathComponent("cgi-bin/\($0)").path) }.min() ?? .distantPast
        let sources = root.appendingPathComponent("Sources")
        let paths = (files.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".swift") }
            .map { sources.appendingPathComponent($0).path } + [root.appendingPathComponent("Package.swift").path]
        return paths.first { (modified($0) ?? .distantPast) > built }.map { String($0.dropFirst(root.path.count + 1)) }
    }()

    /// Runs a helper command (local-config, mount) to its end; a non-zero exit fails the test.
    public static func run(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("\(arguments.joined(separator: " ")) failed") }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One deployment: its own store, outbox and settings, removed when the test ends.
public final class Site {
    public let directory: URL
    public var settings: [String: String]

    public init(_ settings: [String: String] = [:]) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("otp-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.settings = ["OTP_STORE_DIR": directory.appendingPathComponent("store").path, "EMAIL_BACKEND": "filebased",
                         "EMAIL_FILE_PATH": directory.appendingPathComponent("outbox").path, "DEFAULT_FROM_EMAIL": "otp@example.com",
                         "OTP_SECRET_KEY": "e2e-site-key-\(UUID().uuidString)"]
        if !Site.storeSettings.isEmpty {
            // Sites on one Redis are kept apart as two sites sharing one Redis would be: by their key prefix.
            self.settings.merge(Site.storeSettings) { $1 }
            self.settings["OTP_REDIS_PREFIX"] = "e2e-\(UUID().uuidString.prefix(8)):"
        }
        self.settings.merge(settings) { $1 }
    }

    /// Settings every Site in the current task starts with: the Redis suites run the contract's rows with
    /// `OTP_STORE_URL` set here.
    @TaskLocal public static var storeSettings: [String: String] = [:]

    deinit {
        for pid in responders.values.flatMap(\.pids) { kill(pid, SIGTERM) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Under a FastCGI gateway (`OTP_TEST_GATEWAY`, see LocalApache), a request goes through libfcgi's cgi-fcgi, a
    /// FastCGI client nobody here wrote, to four responders that spawn-fcgi started on one socket, instead of to a
    /// new CGI process. Settings travel in each request's PARAMS, as Apache sends SetEnv values.
    private var responders: [String: (socket: String, pids: [pid_t])] = [:]

    private func command(for program: String) throws -> (URL, [String]) {
        let executable = try Project.executable(program)
        guard TestGateway.current != .cgi else { return (executable, []) }
        if responders[program] == nil {
            let socket = directory.appendingPathComponent("\(program).sock").path
            // ServerProcess, not Process: this one exits at once, leaving four children, and must be reaped.
            let log = directory.appendingPathComponent("\(program)-spawn.log")
            let spawn = try ServerProcess(["/usr/bin/spawn-fcgi", "-s", socket, "-M", "0600", "-F", "4", "--", executable.path],
                                          environment: ["PATH": "/usr/bin:/bin"], output: log)
            spawn.stop(0) // signal 0 sends nothing: this only waits for it to exit
            let text = spawn.output
            let pids = text.components(separatedBy: "PID: ").dropFirst().compactMap { pid_t($0.prefix { $0.isNumber }) }
            guard pids.count == 4 else { throw TestFailure("spawn-fcgi: \(text)") }
            responders[program] = (socket, pids)
        }
        return (URL(fileURLWithPath: "/usr/bin/cgi-fcgi"), ["-bind", "-connect", responders[program]!.socket])
    }

    public var store: URL { directory.appendingPathComponent("store") }
    public var outbox: URL { directory.appendingPathComponent("outbox") }

    public func environment(method: String, contentType: String?, length: Int?, extra: [String: String]) -> [String: String] {
        var env = settings
        env["GATEWAY_INTERFACE"] = "CGI/1.1"
        env["SERVER_PROTOCOL"] = "HTTP/1.1"
        env["REQUEST_METHOD"] = method
        env["REMOTE_ADDR"] = "127.0.0.1"
        env["PATH"] = "/usr/bin:/bin"
        if let contentType { env["CONTENT_TYPE"] = contentType }
        if let length { env["CONTENT_LENGTH"] = String(length) }
        return env.merging(extra) { $1 }
    }

    public func run(_ program: String, _ body: String = "", method: String = "POST", contentType: String? = "application/json",
             extra: [String: String] = [:], launcher: [String] = []) throws -> CGIAnswer {
        try runAll(program, [Array(body.utf8)], method: method, contentType: contentType, extra: extra, launcher: launcher)[0]
    }

    public func run(_ program: String, json: [String: String]) throws -> CGIAnswer {
        try run(program, String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
    }

    /// Starts one process per body, each blocked on reading stdin, then feeds them all at once so that they
    /// race for the store as concurrent requests do.
    public func runAll(_ program: String, _ bodies: [[UInt8]], method: String = "POST", contentType: String? = "application/json",
                extra: [String: String] = [:], declaredLength: Int? = nil, launcher: [String] = []) throws -> [CGIAnswer] {
        // A launcher such as `prlimit --fsize=100` execs the program with a changed process state: a CGI run only.
        let (executable, arguments) = launcher.isEmpty ? try command(for: program) : (try Project.executable(program), [])
        var running: [(Process, Pipe, Pipe, Pipe)] = []
        for body in bodies {
            let process = Process(), input = Pipe(), output = Pipe(), errors = Pipe()
            process.executableURL = launcher.isEmpty ? executable : URL(fileURLWithPath: launcher[0])
            process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [executable.path]
            process.environment = environment(method: method, contentType: contentType,
                                              length: declaredLength ?? (body.isEmpty && contentType == nil ? nil : body.count), extra: extra)
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            running.append((process, input, output, errors))
        }
        // A CGI that refuses before reading its body (a bad CONTENT_LENGTH) may be gone before it is fed: the
        // write must fail quietly rather than kill the test runner with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        for ((_, input, _, _), body) in zip(running, bodies) {
            try? input.fileHandleForWriting.write(contentsOf: Data(body))
            try? input.fileHandleForWriting.close()
        }
        return try running.map { process, _, output, errors in
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "a CGI run must exit 0 after answering")
            return try Self.parse(out, stderr: String(decoding: err, as: UTF8.self))
        }
    }

    public static func parse(_ output: Data, stderr: String) throws -> CGIAnswer {
        let text = String(decoding: output, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no header end in: \(text)\n\(stderr)") }
        var headers: [String: String] = [:]
        for line in text[..<split.lowerBound].components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[String(parts[0]).lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        guard let status = headers["status"].flatMap({ Int($0.prefix(3)) }) else { throw TestFailure("no Status in: \(text)") }
        let body = Data(text[split.upperBound...].utf8)
        if status == 204 {
            guard body.isEmpty else { throw TestFailure("a 204 with a body: \(text)") }
            return CGIAnswer(status: status, headers: headers, json: [:], stderr: stderr)
        }
        guard let json = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
        var answer = CGIAnswer(status: status, headers: headers, json: json, stderr: stderr)
        answer.body = String(text[split.upperBound...])
        return answer
    }

    /// The codes mailed to `address`, oldest first, read from the filebased outbox.
    public func codes(for address: String) throws -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
        return try files.filter { $0.hasSuffix(".eml") }.sorted().compactMap { name in
            let message = try String(contentsOf: outbox.appendingPathComponent(name), encoding: .utf8)
            guard message.contains("\r\nTo: \(address)\r\n") else { return nil }
            return message.components(separatedBy: "code is: ").last.map { String($0.prefix { $0.isNumber }) }
        }
    }

    /// Every byte the store holds, for the plaintext check.
    public func storeContents() throws -> [(String, Data)] {
        let names = FileManager.default.enumerator(atPath: store.path)?.allObjects as? [String] ?? []
        return names.map { ($0, (try? Data(contentsOf: store.appendingPathComponent($0))) ?? Data()) }
    }
}
