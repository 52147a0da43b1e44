// The world the delivery tests send into: a certificate, a real SMTP server, a fake Twilio, stand-in programs.
import Foundation
import Testing
import TestSupport

/// The tools these tests need, checked once; a missing one fails the test with what to run, never skips it.
enum DeliveryTools {
    static let missing: String? = {
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") { return "curl" }
        if (try? run("/usr/bin/env", ["openssl", "version"])) == nil { return "openssl" }
        if (try? run("/usr/bin/env", ["python3", "-c", "import aiosmtpd"])) == nil { return "python3 with aiosmtpd" }
        return nil
    }()

    static func require() throws {
        if let missing { throw TestFailure("\(missing) is missing: run Tests/setup.sh (make test does)") }
    }

    /// Runs a tool to its end; a non-zero status is an error carrying its stderr.
    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process(), output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(path) \(arguments.joined(separator: " ")): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A self-signed certificate for 127.0.0.1, made in `directory`; the tests give it to curl as OTP_CA_BUNDLE.
    static func certificate(in directory: URL) throws -> (cert: String, key: String) {
        try require()
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        if !FileManager.default.fileExists(atPath: cert) {
            try run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                     "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                     "-keyout", key, "-out", cert])
        }
        return (cert, key)
    }

    /// A shell script at `path` (tests may use a shell; the service never does).
    /// The script is put in place by `install`, a child process: a descriptor open for writing in this process
    /// would be inherited by a child another test forks at that moment, and running the script would fail with
    /// ETXTBSY ("Text file busy") for as long as that child lives.
    static func script(_ path: URL, _ text: String) throws {
        let draft = path.appendingPathExtension("draft")
        try ("#!/bin/sh\n" + text).write(to: draft, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: draft) }
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "/usr/bin/install")
        install.arguments = ["-m", "0755", draft.path, path.path]
        try install.run()
        install.waitUntilExit()
        guard install.terminationStatus == 0 else { throw TestFailure("install could not put \(path.path) in place") }
    }
}

/// One of the Python fakes in Tests/Fakes, started for one test, recording into its own directory, stopped with it.
final class FakeServer {
    let process = Process()
    let records: URL
    private(set) var port = 0

    init(_ script: String, in site: Site, _ arguments: [String]) throws {
        try DeliveryTools.require()
        records = site.directory.appendingPathComponent("\(script)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: records, withIntermediateDirectories: true)
        let output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Project.root.appendingPathComponent("Tests/Fakes/\(script)").path, "--dir", records.path] + arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                throw TestFailure("\(script) did not start: \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
            }
            line += chunk
        }
        guard let text = String(data: line, encoding: .utf8), text.hasPrefix("READY "),
              let port = Int(text.dropFirst(6).prefix { $0.isNumber }) else { throw TestFailure("\(script) said: \(line)") }
        self.port = port
    }

    deinit { stop() }

    /// After this the port refuses connections: a server that is down. SIGKILL, because the test runner's threads
    /// block SIGTERM and Foundation's Process passes that mask on to the child.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// What the fake recorded, oldest first: one JSON object per message or request.
    func recorded() throws -> [[String: Any]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: records.path).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        return try names.sorted { Int($0.dropLast(5))! < Int($1.dropLast(5))! }.map {
            try JSONSerialization.jsonObject(with: Data(contentsOf: records.appendingPathComponent($0))) as! [String: Any]
        }
    }

    /// The bytes of the `n`th message an SMTP fake accepted, as text.
    func message(_ n: Int) throws -> String {
        try String(contentsOf: records.appendingPathComponent("\(n).eml"), encoding: .utf8)
    }
}

extension Site {
    /// The settings that send this site's email through `smtp`, trusting the test certificate.
    func useSMTP(_ smtp: FakeServer, _ extra: [String: String] = [:]) throws {
        settings.merge(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": String(smtp.port),
                        "OTP_CA_BUNDLE": try DeliveryTools.certificate(in: directory).cert]) { $1 }
        settings.merge(extra) { $1 }
    }

    /// Generates a code and expects `status`; for a failure also that no cooldown was left behind.
    @discardableResult
    func generate(_ channel: String, _ identifier: String, expecting status: Int, detail: String? = nil) throws -> CGIAnswer {
        let answer = try run("generate", json: ["channel": channel, "identifier": identifier])
        #expect(answer.status == status, "\(answer.json) \(answer.stderr)")
        if let detail { #expect(answer.detail == detail) }
        if status != 200 {
            let again = try run("generate", json: ["channel": channel, "identifier": identifier])
            #expect(again.status != 429, "a failed delivery must leave no cooldown")
        }
        return answer
    }

    func verifies(_ channel: String, _ identifier: String, _ code: String) throws -> Bool {
        try run("verify", json: ["channel": channel, "identifier": identifier, "code": code]).status == 200
    }
}

/// The code in a message made from the default templates ("Your OTP code is: 123456").
func otpCode(in text: String) throws -> String {
    let digits = text.components(separatedBy: "code is: ").dropFirst().first?.prefix { $0.isNumber }
    return String(try #require(digits.flatMap { $0.isEmpty ? nil : $0 }))
}
