// The contract, the races, a killed responder and the client checks through nginx (FastCGI, fcgiwrap, systemd's
// socket units) and lighttpd (mod_cgi, mod_fastcgi), each configured from the repo's files.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// Each test starts its own server of each deployment, so that the deployments run side by side.
@Suite struct WebServerTests {
    private func withServer(_ deployment: Deployment, _ settings: [String: String] = [:],
                            _ body: (LocalWebServer) async throws -> Void) async throws {
        let server = try await LocalWebServer(deployment, settings: settings)
        defer { server.stop() }
        try await body(server)
    }

    private func fields(_ email: String, code: String? = nil) -> [String: String] {
        ["channel": "email", "identifier": email].merging(code.map { ["code": $0] } ?? [:]) { $1 }
    }

    @Test(arguments: Deployment.allCases)
    func aSentCodeVerifiesOnce(through deployment: Deployment) async throws {
        // A cooldown no machine's load can outlast between the two sends (the full suite once took over 30 s here).
        try await withServer(deployment, ["OTP_RESEND_COOLDOWN_SECONDS": "3600"]) { server in
            let email = uniqueEmail()
            let sent = try await server.post("generate", fields(email))
            #expect(sent.status == 200 && sent.detail == "OTP sent")
            #expect(sent.headers["content-type"] == "application/json" && sent.headers["cache-control"] == "no-store")
            let resent = try await server.post("generate", fields(email))
            #expect(resent.status == 429 && (1...3600).contains(Int(resent.headers["retry-after"] ?? "") ?? 0),
                    "\(resent.status) \(resent.detail ?? "") retry-after \(resent.headers["retry-after"] ?? "none")")
            let code = try server.outbox.code(for: email)
            let verified = try await server.post("verify", fields(email, code: code))
            #expect(verified.status == 200 && verified.detail == "Verified")
            let again = try await server.post("verify", fields(email, code: code))
            #expect(again.status == 400 && again.detail == "Invalid or expired code")
        }
    }

    @Test(arguments: Deployment.allCases)
    func refusalsAreTheContracts(through deployment: Deployment) async throws {
        try await withServer(deployment) { server in
            for endpoint in ["generate", "verify"] {
                let get = try await server.get("api/otp/\(endpoint)")
                #expect(get.status == 405 && get.headers["allow"] == "POST" && get.detail == "Method not allowed")
            }
            let text = try await server.post("generate", body: Data("channel=email".utf8), contentType: "text/plain")
            #expect(text.status == 415)
            // Past the service's 16 KiB (and nginx's in-memory body buffer), then past 64 KiB, where nginx itself
            // refuses the body (lighttpd passes up to 1 MiB to the service).
            for size in [16 * 1024 + 1, 900 * 1024] {
                let big = try await server.post("generate", body: Data(repeating: UInt8(ascii: " "), count: size), contentType: "application/json")
                #expect(big.status == 413 && big.detail == "Request body too large" && big.headers["content-type"] == "application/json",
                        "\(size) bytes: \(big.status) \(big.body)")
                #expect(big.headers["cache-control"] == "no-store")
            }
        }
    }

    /// A browser's form post gets the HTML page, with the check form filled in.
    @Test(arguments: Deployment.allCases)
    func aBrowserGetsThePage(through deployment: Deployment) async throws {
        try await withServer(deployment) { server in
            let email = uniqueEmail()
            let answer = try await server.postForm("generate", "channel=email&identifier=\(email)")
            #expect(answer.status == 200 && answer.headers["content-type"] == "text/html; charset=utf-8")
            #expect(answer.body.contains(#"value="\#(email)""#))
        }
    }

    @Test(arguments: Deployment.allCases)
    func ofThirtyParallelVerifiesOfOneCodeExactlyOneSucceeds(through deployment: Deployment) async throws {
        // The 29 verifies that find the code used count as failures: the window's limit holds them all, and all
        // come from one network, whose share of it would meet them first.
        try await withServer(deployment, ["OTP_LOCK_TIMEOUT_MS": "30000", "OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "30"]
                                            .merging(Site.noNetworkShares) { $1 }) { server in
            let email = uniqueEmail()
            #expect(try await server.post("generate", fields(email)).status == 200)
            let verify = fields(email, code: try server.outbox.code(for: email))
            let verifies = try await parallel(30) { try await server.post("verify", verify).status }
            #expect(verifies.filter { $0 == 200 }.count == 1 && verifies.filter { $0 == 400 }.count == 29, "\(verifies.sorted())")
            let other = uniqueEmail()
            let sends = try await parallel(30) { try await server.post("generate", fields(other)).status }
            #expect(sends.filter { $0 == 200 }.count == 1 && sends.filter { $0 == 429 }.count == 29, "\(sends.sorted())")
            #expect(try server.outbox.messages(to: other).count == 1)
        }
    }

    /// generate's processes killed with SIGKILL amid 60 parallel sends that crowd one shard's lock, so that kills
    /// land inside its transitions: the store keeps no lock and no torn record, every 200 was delivered, a killed
    /// request gets the server's own 502 (nginx) or 500 (lighttpd), and the next request is answered. A burst
    /// of CGI processes may end before one is caught: then another burst.
    @Test(arguments: Deployment.allCases)
    func aResponderKilledMidBurstLeavesNoLockAndTheNextRequestAnswers(through deployment: Deployment) async throws {
        let key = "web-server-kill-test-key-0123456789"
        try await withServer(deployment, ["OTP_LOCK_TIMEOUT_MS": "30000", "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_SECRET_KEY": key]) { server in
            #expect(try await server.post("generate", fields(uniqueEmail("warm"))).status == 200)
            // spawn-fcgi restarts nothing: one or two of its four responders die and the rest carry on (with
            // fastcgi_keep_conn, more responders than kept connections must stay). systemd and lighttpd replace
            // theirs; a CGI process was one request's.
            let limit = switch deployment {
            case .nginxKeptFastCGI: 1
            case .nginxFastCGI: 2
            default: 3
            }
            let gatewayError = deployment.isNginx ? 502 : 500
            var killed = 0
            for round in 0..<20 where killed == 0 {
                let emails = try emailsInOneShard(60, tag: "kill\(round)-\(UUID().uuidString.prefix(6).lowercased())", key: key)
                let sentBefore = server.outbox.count
                let killer = Task { () -> Int in
                    // Once the burst is under way (one of its codes was sent), until it ends. Polled by counting the
                    // outbox's files, not reading them: a CGI behind fcgiwrap lives a few milliseconds.
                    var killed = 0, underway = false
                    while !Task.isCancelled && killed < limit {
                        underway = underway || server.outbox.count > sentBefore
                        if underway {
                            for pid in server.responderPIDs().prefix(limit - killed) where kill(pid, SIGKILL) == 0 { killed += 1 }
                        }
                        try? await Task.sleep(nanoseconds: 1_000_000)
                    }
                    return killed
                }
                let statuses = try await parallel(emails.count, each: emails) { try await server.post("generate", fields($0)).status }
                killer.cancel()
                killed += await killer.value
                #expect(statuses.allSatisfy { $0 == 200 || $0 == gatewayError }, "\(statuses.sorted())")
                for (email, status) in zip(emails, statuses) where status == 200 {
                    #expect(try server.outbox.messages(to: email).count == 1)
                }
            }
            #expect(killed > 0)
            #expect(server.heldLocks().isEmpty)
            #expect(server.everyRecordDecodes())
            let after = uniqueEmail("after")
            #expect(try await server.post("generate", fields(after)).status == 200)
            #expect(try await server.post("verify", fields(after, code: try server.outbox.code(for: after))).status == 200)
        }
    }

    /// The per-client limit counts the address the connection came from (REMOTE_ADDR), whatever
    /// X-Forwarded-For a client sends.
    @Test(arguments: Deployment.allCases)
    func theClientLimitCountsTheRealClient(through deployment: Deployment) async throws {
        try await withServer(deployment, ["OTP_IP_MAX_SENDS_PER_WINDOW": "2"]) { server in
            let spoof = ["X-Forwarded-For": "198.51.100.7"]
            let first = try (0..<3).map { _ in try server.post("generate", body(uniqueEmail()), from: "127.0.0.2", headers: spoof).status }
            #expect(first == [200, 200, 429])
            #expect(try server.post("generate", body(uniqueEmail()), from: "127.0.0.3").status == 200)
        }
    }

    /// Behind a proxy listed in OTP_TRUSTED_PROXIES, the client is the address that proxy saw, not the proxy
    /// (every client would share its budget) and not what the client wrote into X-Forwarded-For.
    @Test(arguments: Deployment.allCases.filter(\.isNginx))
    func behindATrustedProxyTheClientIsTheOneItSaw(through deployment: Deployment) async throws {
        try await withServer(deployment, ["OTP_IP_MAX_SENDS_PER_WINDOW": "2", "OTP_TRUSTED_PROXIES": LocalWebServer.proxyAddress]) { server in
            let spoof = ["X-Forwarded-For": "198.51.100.7"]
            let first = try (0..<3).map { _ in
                try server.post("generate", body(uniqueEmail()), from: "127.0.0.4", viaProxy: true, headers: spoof).status
            }
            #expect(first == [200, 200, 429])
            #expect(try server.post("generate", body(uniqueEmail()), from: "127.0.0.5", viaProxy: true).status == 200)
            #expect(try server.post("generate", body(uniqueEmail()), from: "127.0.0.6", viaProxy: true).status == 200)
        }
    }

    @Test(arguments: Deployment.allCases)
    func onlyListedOriginsAreServed(through deployment: Deployment) async throws {
        try await withServer(deployment, ["OTP_ALLOWED_ORIGINS": "https://shop.example"]) { server in
            let email = uniqueEmail()
            let evil = try server.post("generate", body(email), from: "127.0.0.1", headers: ["Origin": "https://evil.example"])
            #expect(evil.status == 403 && evil.text.contains(#""detail": "Origin not allowed""#))
            #expect(!evil.text.lowercased().contains("access-control-allow-origin"))
            #expect(try server.outbox.messages(to: email).isEmpty)
            let listed = try server.post("generate", body(email), from: "127.0.0.1", headers: ["Origin": "https://shop.example"])
            #expect(listed.status == 200 && listed.text.contains("Access-Control-Allow-Origin: https://shop.example\r\n"))
            var preflight = URLRequest(url: server.baseURL.appendingPathComponent("api/otp/verify"))
            preflight.httpMethod = "OPTIONS"
            preflight.setValue("https://shop.example", forHTTPHeaderField: "Origin")
            preflight.setValue("POST", forHTTPHeaderField: "Access-Control-Request-Method")
            let answer = try await server.send(preflight)
            #expect(answer.status == 204 && answer.headers["access-control-allow-origin"] == "https://shop.example")
        }
    }

    /// The key comes from the settings file only root reads (the server reads it before it drops to the web
    /// user): no key is made in the store, and a code sent under it verifies.
    /// The shipped settings examples set OTP_LOG syslog for nginx and lighttpd: the service's lines reach syslog,
    /// the request's own at info and the console backend's at notice, and none reaches the server's error log,
    /// where nginx would log each at error level ("FastCGI sent in stderr") and a daemonised lighttpd would lose a
    /// CGI's.
    @Test(arguments: Deployment.allCases)
    func withTheShippedLogSettingTheLinesGoToSyslogNotTheErrorLog(through deployment: Deployment) async throws {
        let example = deployment.isNginx ? "nginx/otp-cgi-settings.conf.example" : "lighttpd/otp-cgi-settings.conf.example"
        let shipped = try String(contentsOf: Project.root.appendingPathComponent(example), encoding: .utf8)
        #expect(shipped.contains(deployment.isNginx ? "\nfastcgi_param OTP_LOG syslog;\n" : "\n    \"OTP_LOG\" => \"syslog\",\n"))
        try await withServer(deployment, ["OTP_LOG": "syslog"]) { server in
            let sent = try await server.post("generate", ["channel": "sms", "identifier": "+14155550166"])
            #expect(sent.status == 200)
            let lines = try #require(server.syslog).received()
            #expect(lines.contains { $0.hasPrefix("<29>otp-cgi[") && $0.contains("console sms backend: to +14155550166: ") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("<30>otp-cgi[") && $0.contains(#"generate 200 "OTP sent""#) }, "\(lines)")
            let errorLog = [server.run.appendingPathComponent("error.log"), server.run.appendingPathComponent("logs/error.log")]
                .compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined()
            #expect(!errorLog.contains("otp-cgi:") && !errorLog.contains("FastCGI sent in stderr"), "\(errorLog)")
        }
    }

    @Test(arguments: Deployment.allCases)
    func theKeyComesFromTheRootOnlySettingsFile(through deployment: Deployment) async throws {
        try await withServer(deployment, ["OTP_SECRET_KEY": "a-long-enough-secret-key-for-web-servers"]) { server in
            let attributes = try FileManager.default.attributesOfItem(atPath: server.settingsFile.path)
            #expect(attributes[.posixPermissions] as? Int == 0o600 && attributes[.ownerAccountID] as? Int == Int(getuid()))
            let email = uniqueEmail()
            #expect(try await server.post("generate", fields(email)).status == 200)
            #expect(try await server.post("verify", fields(email, code: try server.outbox.code(for: email))).status == 200)
            #expect(!FileManager.default.fileExists(atPath: server.store.appendingPathComponent("secret.key").path))
        }
    }

    private func body(_ email: String) -> String { #"{"channel": "email", "identifier": "\#(email)"}"# }

    private func parallel(_ count: Int, _ request: @escaping @Sendable () async throws -> Int) async throws -> [Int] {
        try await parallel(count, each: Array(repeating: "", count: count)) { _ in try await request() }
    }

    /// One request per element, all at once; the statuses in the order of `each`.
    private func parallel(_ count: Int, each: [String], _ request: @escaping @Sendable (String) async throws -> Int) async throws -> [Int] {
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for (index, element) in each.enumerated() { group.addTask { (index, try await request(element)) } }
            return try await group.reduce(into: [Int](repeating: 0, count: each.count)) { $0[$1.0] = $1.1 }
        }
    }
}

/// The systemd units as systemd itself reads them, sandboxing lines included.
@Suite struct SystemdUnitTests {
    @Test(arguments: ["generate", "verify"])
    func theUnitsVerifyCleanly(program: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for unit in ["otp-\(program).socket", "otp-\(program).service"] {
            // Only the executable's path is this checkout's; it must exist for systemd to accept the unit.
            let text = try String(contentsOf: Project.root.appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
                .replacingOccurrences(of: "/srv/otp-cgi/cgi-bin/", with: Project.root.appendingPathComponent("cgi-bin").path + "/")
            try text.write(to: directory.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify"] + ["socket", "service"].map { directory.appendingPathComponent("otp-\(program).\($0)").path }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && text.isEmpty, "\(text)")
    }
}
