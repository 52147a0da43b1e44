// The README's deployment routes followed word for word on Debian's stock Apache configuration (StockApache): an
// Apache you run, as CGI, through mod_fcgid and through mod_proxy_fcgi, and shared hosting with .htaccess, also on
// hosts missing a module it needs. Each proves the contract's answers and where the service's log lines land.
import Foundation
import Testing
import TestSupport

@Suite struct RootApacheRouteTests {
    enum Route: String, CaseIterable, Sendable { case cgi, fcgid = "1. mod_fcgid", proxyFastCGI = "2. mod_proxy_fcgi" }

    @Test(arguments: Route.allCases) func theStepsServeTheContractOverHTTPSWithTheStoreTheyMade(route: Route) async throws {
        let apache = try await StockApache()
        defer { apache.stop() }
        try FileManager.default.createDirectory(at: apache.root.appendingPathComponent("ssl"), withIntermediateDirectories: true)
        for line in [
            "install -d /srv/otp-cgi/cgi-bin",
            "install -m 0755 cgi-bin/generate cgi-bin/verify /srv/otp-cgi/cgi-bin/",
            "install -d -o www-data -g www-data -m 0700 /var/lib/otp-cgi",
            "install -d -m 0755 /etc/otp-cgi",
            "(umask 077; head -c 32 /dev/urandom | base64 >/etc/otp-cgi/secret.key)",
            "chgrp www-data /etc/otp-cgi/secret.key && chmod 0640 /etc/otp-cgi/secret.key",
            "cp apache/otp-cgi.conf /etc/apache2/sites-available/",
            """
            openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \\
              -keyout /etc/ssl/private/otp-cgi-try.key -out /etc/ssl/certs/otp-cgi-try.pem
            """,
        ] {
            try apache.shell(apache.localized(README.says(line)))
        }
        // "replace otp.example.org ... point the two certificate lines at the files above"
        let site = apache.etc.appendingPathComponent("sites-available/otp-cgi.conf").path
        try apache.edit(site) {
            $0.replacingOccurrences(of: "/etc/letsencrypt/live/otp.example.org/fullchain.pem", with: "/etc/ssl/certs/otp-cgi-try.pem")
                .replacingOccurrences(of: "/etc/letsencrypt/live/otp.example.org/privkey.pem", with: "/etc/ssl/private/otp-cgi-try.key")
        }
        // Where mod_proxy_fcgi's responders send their lines (OTP_LOG syslog): a socket in place of /dev/log.
        let syslog = try DatagramSocket(in: apache.root)
        if route != .cgi {
            // "replace the lines from `# The gateway` to `# End of the gateway.` with one of them, run the commands
            // in the comment above it": the block's lines as they are, and every command but the package install.
            _ = README.says("replace the lines from `# The gateway` to")
            if route == .fcgid { _ = README.says("cp apache/otp-fcgid.conf /etc/apache2/conf-available/ && a2enconf otp-fcgid") }
            let block = try Self.fastCGIBlock(route.rawValue)
            #expect(block.serverWide.isEmpty, "a block's lines all go in the VirtualHost")
            try apache.edit(site) { conf in
                let start = try #require(conf.range(of: "    # The gateway:")), end = try #require(conf.range(of: "    # End of the gateway.\n"))
                return conf.replacingCharacters(in: start.lowerBound..<end.upperBound, with: block.gateway)
            }
            for command in block.commands {
                for part in command.components(separatedBy: " && ") where !part.hasPrefix("apt-get install") {
                    let line = apache.localized(part)
                    if line.contains("spawn-fcgi ") {
                        try apache.spawnDaemons("export OTP_SYSLOG_SOCKET=\(syslog.path); " + line)
                    } else {
                        try apache.shell(line)
                    }
                }
            }
        }
        // "or console to try it": no mail server on a test machine.
        try apache.edit(site) { apache.localized($0).replacingOccurrences(of: "# SetEnv EMAIL_BACKEND smtp", with: "SetEnv EMAIL_BACKEND console") }
        let enable = README.says("a2enmod cgid headers ssl && a2ensite otp-cgi && apache2ctl configtest && systemctl restart apache2")
        try apache.shell(enable.replacingOccurrences(of: " && systemctl restart apache2", with: ""))
        try await apache.start()

        let https = "https://localhost:\(apache.tlsPort)/api/otp/"
        if route == .fcgid {
            // The block's warm-up, on the self-signed certificate: every request answered, and a process of each
            // executable running before the first visitor, as the script promises (more only when requests overlap).
            let (warmed, said) = try apache.run("apache/fcgid-warm-up 16 \(https)generate \(https)verify")
            #expect(warmed == 0 && said.isEmpty, "\(said)")
            for program in ["generate", "verify"] {
                let running = SharedHostingRouteTests.processes(running: apache.localized("/srv/otp-cgi/cgi-bin/\(program)"))
                #expect(running >= 1, "\(running) \(program) processes after the warm-up")
                print("fcgid-warm-up 16 left \(running) \(program) processes")
            }
            // A wrong URL is said, with what came back, and the exit status says it failed.
            let (failed, why) = try apache.run("apache/fcgid-warm-up 2 \(https)generat")
            #expect(failed == 1 && why.contains("\(https)generat: 0 of 2 requests got the API's 400") && why.contains("\n    2 404"), "\(why)")
        }
        let sent = try apache.curl(["\(https)generate", "-H", "Content-Type: application/json",
                                    "-d", #"{"channel": "sms", "identifier": "+14155550123"}"#])
        #expect(sent.status == 200 && sent.detail == "OTP sent", "\(sent)\n\(apache.log("error.log"))\n\(apache.log("otp-cgi-error.log"))")
        #expect(sent.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains")
        // The console backend's line, with the code: under mod_cgid in the main error.log, under mod_fcgid in the
        // site's, from mod_proxy_fcgi's responders in syslog, and nowhere else.
        let logs = ["error.log": apache.log("error.log"), "otp-cgi-error.log": apache.log("otp-cgi-error.log"), "syslog": syslog.received().joined(separator: "\n")]
        let log = route == .cgi ? "error.log" : route == .fcgid ? "otp-cgi-error.log" : "syslog"
        let line = try #require(logs[log]!.components(separatedBy: "\n").last { $0.contains("console sms backend: to +14155550123: ") })
        #expect(logs.filter { $0.key != log && $0.value.contains("console sms backend") }.isEmpty, "\(logs)")
        let code = String(try #require(line.components(separatedBy: "Your OTP code is: ").last).prefix(6))
        let checked = try apache.curl(["\(https)verify", "-H", "Content-Type: application/json",
                                       "-d", #"{"channel": "sms", "identifier": "+14155550123", "code": "\#(code)"}"#])
        #expect(checked.status == 200 && checked.detail == "Verified")
        // OTP_STORE_DIR is set: the records are in the directory the steps made, and the key is not.
        let stored = try FileManager.default.contentsOfDirectory(atPath: apache.localized("/var/lib/otp-cgi"))
        #expect(stored.contains("t") && !stored.contains("secret.key"))

        let plain = try apache.curl(["http://localhost:\(apache.port)/api/otp/generate"])
        #expect(plain.status == 301 && plain.headers["location"] == "https://localhost/api/otp/generate")

        // The route ends with the self-check, on the site's own SetEnv lines.
        let check = README.says("/srv/otp-cgi/cgi-bin/generate --check --config /etc/apache2/sites-available/otp-cgi.conf")
        let (status, report) = try apache.run(apache.localized(check))
        #expect(status == 0 && report.hasSuffix("otp-cgi check: all is well\n"), "\(report)")
    }

    /// A block of apache/otp-fastcgi.conf: the commands its comment gives (continued lines joined), its server-wide
    /// (unindented) lines and its gateway (indented) lines.
    static func fastCGIBlock(_ heading: String) throws -> (commands: [String], serverWide: String, gateway: String) {
        let lines = try String(contentsOf: Project.root.appendingPathComponent("apache/otp-fastcgi.conf"), encoding: .utf8)
            .components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("# \(heading)") })
        let end = lines[(start + 1)...].firstIndex { $0.range(of: #"^# [0-9]\. "#, options: .regularExpression) != nil } ?? lines.endIndex
        let block = lines[start..<end]
        var commands: [String] = [], continued = false
        for line in block where line.hasPrefix("#      ") {
            let words = line.dropFirst(7).trimmingCharacters(in: .whitespaces)
            if continued { commands[commands.count - 1] += " " + words } else { commands.append(words) }
            continued = words.hasSuffix("\\")
            if continued { commands[commands.count - 1].removeLast() }
        }
        let config = block.filter { !$0.hasPrefix("#") && !$0.isEmpty }
        return (commands, config.filter { !$0.hasPrefix(" ") }.map { $0 + "\n" }.joined(), config.filter { $0.hasPrefix(" ") }.map { $0 + "\n" }.joined())
    }
}

/// Shared hosting: the host (this test) serves a web root with AllowOverride FileInfo Options on the stock
/// configuration and the modules it chose; the user follows the README: a folder, a store, a .htaccess.
@Suite struct SharedHostingRouteTests {
    /// The host's side: a site whose web root the user owns, and these modules enabled with a2enmod.
    func host(enabling modules: [String], disabling off: [String] = []) async throws -> StockApache {
        let apache = try await StockApache()
        let htdocs = apache.root.appendingPathComponent("htdocs")
        try apache.shell("mkdir -p '\(htdocs.path)'")
        try """
            <VirtualHost *:80>
                DocumentRoot \(htdocs.path)
                <Directory \(htdocs.path)>
                    AllowOverride FileInfo Options
                    Require all granted
                </Directory>
            </VirtualHost>

            """.write(to: apache.etc.appendingPathComponent("sites-available/host.conf"), atomically: true, encoding: .utf8)
        try apache.shell("a2dissite -q 000-default && a2ensite -q host")
        if !modules.isEmpty { try apache.shell("a2enmod -q " + modules.joined(separator: " ")) }
        if !off.isEmpty { try apache.shell("a2dismod -q -f " + off.joined(separator: " ")) }
        return apache
    }

    /// The user's side, in the README's words: the folder, the store outside the web root, the .htaccess.
    func deploy(on apache: StockApache, names: [String] = ["generate", "verify"]) throws {
        let htdocs = apache.root.appendingPathComponent("htdocs"), store = apache.root.appendingPathComponent("home/otp-store")
        _ = README.says("make a folder `otp-cgi`")
        for (name, target) in zip(["generate", "verify"], names) {
            try apache.shell("install -D -m 0755 cgi-bin/\(name) '\(htdocs.path)/otp-cgi/\(target)'")
        }
        let key = store.deletingLastPathComponent().appendingPathComponent("otp-secret.key")
        try apache.shell("mkdir -p '\(store.deletingLastPathComponent().path)' && " + README.says("mkdir -m 0700 ~/otp-store")
                            .replacingOccurrences(of: "~/otp-store", with: "'\(store.path)'"))
        try apache.shell(README.says("(umask 077; head -c 32 /dev/urandom | base64 >~/otp-secret.key)")
                            .replacingOccurrences(of: "~/otp-secret.key", with: "'\(key.path)'"))
        // The host runs CGI programs as www-data (without suEXEC): the store and the key are theirs.
        try apache.shell("chown www-data: '\(store.path)' '\(key.path)'")
        try apache.shell("cp apache/htaccess '\(htdocs.path)/.htaccess'")
        try apache.edit(htdocs.appendingPathComponent(".htaccess").path) {
            $0.replacingOccurrences(of: README.says("SetEnv OTP_STORE_DIR /home/you/otp-store"), with: "SetEnv OTP_STORE_DIR \(store.path)")
                .replacingOccurrences(of: README.says("SetEnv OTP_SECRET_KEY_FILE /home/you/otp-secret.key"), with: "SetEnv OTP_SECRET_KEY_FILE \(key.path)")
        }
    }

    @Test func withModRewriteAndModCgidTheCheckAnswersChannelIsRequiredAndACodeVerifies() async throws {
        let apache = try await host(enabling: ["cgid", "rewrite"])
        defer { apache.stop() }
        try deploy(on: apache)
        try await apache.start()
        let check = try apache.curl(["-X", "POST", "http://localhost:\(apache.port)/api/otp/generate"])
        #expect(check.status == 400 && check.detail == "channel is required", "\(check)\n\(apache.log("error.log"))")
        _ = README.says(#"a JSON 400 `{"detail": "channel is required"}`"#)

        let sent = try await apache.post("generate", ["channel": "sms", "identifier": "+14155550124"])
        #expect(sent.status == 200 && sent.detail == "OTP sent")
        let line = try #require(apache.log("error.log").components(separatedBy: "\n").last { $0.contains("console sms backend: to +14155550124: ") })
        let code = String(try #require(line.components(separatedBy: "Your OTP code is: ").last).prefix(6))
        let checked = try await apache.post("verify", ["channel": "sms", "identifier": "+14155550124", "code": code])
        #expect(checked.status == 200 && checked.detail == "Verified")
    }

    /// Renamed to .fcgi, the executables run under the host's mod_fcgid (on in this machine's stock configuration
    /// once libapache2-mod-fcgid is installed), which keeps a responder process after the answer.
    @Test func renamedToFcgiTheyRunUnderModFcgid() async throws {
        let apache = try await host(enabling: ["rewrite", "fcgid"], disabling: ["cgid"])
        defer { apache.stop() }
        try deploy(on: apache, names: ["generate.fcgi", "verify.fcgi"])
        // "ask the host for the two FcgidInitialEnv lines": a responder names no file after a request's SetEnv.
        let store = apache.root.appendingPathComponent("home/otp-store").path, key = apache.root.appendingPathComponent("home/otp-secret.key").path
        _ = README.says("ask the host for the two `FcgidInitialEnv` lines")
        try "FcgidInitialEnv OTP_STORE_DIR \(store)\nFcgidInitialEnv OTP_SECRET_KEY_FILE \(key)\n"
            .write(to: apache.etc.appendingPathComponent("conf-enabled/otp-host.conf"), atomically: true, encoding: .utf8)
        try await apache.start()
        let check = try apache.curl(["-X", "POST", "http://localhost:\(apache.port)/api/otp/generate"])
        #expect(check.status == 400 && check.detail == "channel is required", "\(check)")
        let responder = apache.root.appendingPathComponent("htdocs/otp-cgi/generate.fcgi").path
        #expect(Self.processes(running: responder) > 0)
    }

    @Test func withoutModRewriteTheAnswerNamesIt() async throws {
        let apache = try await host(enabling: ["cgid"], disabling: ["rewrite"])
        defer { apache.stop() }
        try deploy(on: apache)
        try await apache.start()
        let answer = try await apache.post("generate", body: Data(), contentType: "application/json")
        #expect(answer.status == 404 && answer.body.hasPrefix("otp-cgi: mod_rewrite is off on this server"))
        // Other missing pages keep the server's own 404.
        let other = try await apache.get("nothing-here")
        #expect(other.status == 404 && !other.body.contains("otp-cgi"))
    }

    /// Without a module to run them, Apache would send the executables as downloads.
    @Test func withoutACGIModuleTheAnswerNamesItAndNoExecutableIsSent() async throws {
        let apache = try await host(enabling: ["rewrite"], disabling: ["cgid", "cgi", "fcgid"])
        defer { apache.stop() }
        try deploy(on: apache)
        try await apache.start()
        for path in ["api/otp/generate", "otp-cgi/generate", "otp-cgi/verify"] {
            let answer = try await apache.get(path)
            #expect(answer.status == 500 && answer.body.hasPrefix("otp-cgi: neither mod_cgid nor mod_cgi runs on this server"), "\(path)")
        }
    }

    @Test func fcgiNamesWithoutModFcgidGetAnAnswerNamingIt() async throws {
        let apache = try await host(enabling: ["rewrite", "cgid"], disabling: ["fcgid"])
        defer { apache.stop() }
        try deploy(on: apache, names: ["generate.fcgi", "verify.fcgi"])
        try await apache.start()
        for path in ["api/otp/generate", "otp-cgi/generate.fcgi"] {
            let answer = try await apache.get(path)
            #expect(answer.status == 500 && answer.body.hasPrefix("otp-cgi: mod_fcgid is off on this server"), "\(path)")
        }
    }

    static func processes(running path: String) -> Int {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        return pids.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/exe")) == path }.count
    }
}
