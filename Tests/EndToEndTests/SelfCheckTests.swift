// `generate --check` as an operator runs it: the built executable outside CGI, its settings from the environment
// or from an Apache configuration's SetEnv lines, each problem named with its fix, and exit 0 only when all is well.
import Foundation
import Testing
import TestSupport

@Suite struct SelfCheckTests {
    /// A deployment that works: a store of the web user's, 0700, a key, email into files, no Twilio (a note). The
    /// caller keeps the site alive: its directory goes with it.
    func healthy() throws -> (Site, [String: String]) {
        let site = try Site()
        let store = site.directory.appendingPathComponent("store").path, outbox = site.directory.appendingPathComponent("outbox").path
        try Self.sh("install -d -m 0700 '\(store)' '\(outbox)'" + (getuid() == 0 ? " && chown www-data: '\(store)'" : ""))
        return (site, ["OTP_STORE_DIR": store, "OTP_SECRET_KEY": "a-key-of-at-least-16-characters",
                       "EMAIL_BACKEND": "filebased", "EMAIL_FILE_PATH": outbox, "DEFAULT_FROM_EMAIL": "otp@example.com"])
    }

    @Test func aHealthyDeploymentIsAllWellAndExits0() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let (status, output) = try Self.check(settings)
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("otp-cgi check: settings from the environment\nok: settings\nok: store: "))
        #expect(output.contains("note: SMS: no Twilio account, so SMS codes go to the error log (the console backend)\n"))
        #expect(!output.contains("problem:") && output.hasSuffix("otp-cgi check: all is well\n"))
    }

    /// Each broken part gives its problem and its fix, and the exit status 1.
    @Test(arguments: [
        (["OTP_TTL_SECONDS": "0"], "problem: settings: server misconfigured: OTP_TTL_SECONDS"),
        (["OTP_STORE_DIR": "/nonexistent/otp-store"], "problem: store: /nonexistent/otp-store does not exist\n  fix: install -d -o www-data -g www-data -m 0700 /nonexistent/otp-store"),
        (["EMAIL_BACKEND": "sendmail", "EMAIL_SENDMAIL_PATH": "/nonexistent/sendmail"], "problem: email: /nonexistent/sendmail is not an executable file\n  fix: "),
        (["EMAIL_BACKEND": "filebased", "EMAIL_FILE_PATH": "/nonexistent/outbox"], "problem: email: EMAIL_FILE_PATH /nonexistent/outbox is not a directory"),
        (["SMS_TWILIO_ACCOUNT_SID": "AC0123"], "problem: SMS: Twilio is set up in part: SMS_TWILIO_AUTH_TOKEN, SMS_TWILIO_SENDER missing"),
        (["OTP_REQUIRE_PROVIDER_CONFIG": "true"], "problem: WhatsApp: no Twilio account, and OTP_REQUIRE_PROVIDER_CONFIG is true"),
        (["SMS_HTTP_URL": "https://sms.example/send", "SMS_HTTP_BODY": "to={to}&msg={message}"],
         "problem: settings: server misconfigured: SMS_HTTP_BODY: unknown placeholder {message} (known: {to} {to_digits} {from} {text})"),
        (["SMS_HTTP_URL": "https://sms.example/send", "SMS_HTTP_ENCODING": "json", "SMS_HTTP_BODY": #"{"to": {to}, "text": "{text}"}"#],
         #"problem: settings: server misconfigured: SMS_HTTP_BODY: {to} must stand inside a JSON string, as in "{to}""#),
        (["SMS_HTTP_URL": "https://sms.example/send", "SMS_HTTP_BODY": "to={to}&text={text}", "SMS_HTTP_HEADERS_FILE": "/nonexistent/sms-headers"],
         "problem: SMS: SMS_HTTP_HEADERS_FILE cannot be read by the web server's user (No such file or directory)\n  fix: make /nonexistent/sms-headers a file"),
        (["SMS_VONAGE_API_KEY": "k", "SMS_VONAGE_API_SECRET_FILE": "/nonexistent/vonage-secret", "SMS_VONAGE_FROM": "Shop"],
         "problem: SMS: SMS_VONAGE_API_SECRET_FILE cannot be read by the web server's user"),
        (["SMS_WEBHOOK_URL": "https://shop.example/hook", "SMS_WEBHOOK_SECRET_FILE": "/nonexistent/whsec"],
         "problem: SMS: SMS_WEBHOOK_SECRET_FILE cannot be read by the web server's user"),
        (["SMS_COMMAND": "/nonexistent/send-sms"], "problem: SMS: SMS_COMMAND /nonexistent/send-sms is not an executable file"),
        (["SMS_HTTP_BODY": "to={to}&text={text}"], "problem: SMS: http is set up in part: SMS_HTTP_URL missing"),
        (["SMS_COMMAND": "/bin/true", "SMS_TELNYX_API_KEY": "k", "SMS_TELNYX_FROM": "+1"],
         "problem: settings: server misconfigured: SMS_PROVIDERS must list the order to try them: command, telnyx"),
    ] as [([String: String], String)])
    func eachProblemIsNamedWithItsFix(broken: [String: String], problem: String) throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let (status, output) = try Self.check(settings.merging(broken) { $1 })
        #expect(status == 1 && output.contains(problem), "\(output)")
        #expect(output.hasSuffix(" problem\n") || output.hasSuffix(" problems\n"))
    }

    @Test func everyConfiguredProviderIsListedInItsOrder() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let (status, output) = try Self.check(settings.merging([
            "SMS_COMMAND": "/bin/true", "SMS_KANNEL_USER": "otp", "SMS_KANNEL_PASSWORD": "pw", "SMS_PROVIDERS": "kannel command"]) { $1 })
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok: SMS: providers kannel, command, tried in this order\nok: SMS: kannel gateway, GET http://127.0.0.1:13013/cgi-bin/sendsms (query)\n"
            + "ok: SMS: SMS_COMMAND /bin/true is executable\n"), "\(output)")
        #expect(!output.contains("pw"))
    }

    @Test func aStoreReadableByOthersOrOwnedByRootIsAProblem() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let store = try #require(settings["OTP_STORE_DIR"])
        try Self.sh("chmod 0755 '\(store)'")
        let (status, output) = try Self.check(settings)
        #expect(status == 1 && output.contains("problem: store: \(store) has mode 0755: others can read the codes' records\n  fix: chmod 0700 \(store)\n"))
        if getuid() == 0 {
            try Self.sh("chown root: '\(store)' && chmod 0700 '\(store)'")
            let (_, owned) = try Self.check(settings)
            #expect(owned.contains("problem: store: \(store) belongs to root, so the CGI cannot write it\n  fix: chown www-data:www-data \(store)"))
        }
    }

    /// The store's layout before slot tables (a file per record under r/) is named, with the command that removes
    /// it; it is a note, not a problem: requests remove it shard by shard.
    @Test func anOldStoreLayoutIsNamedWithHowToRemoveIt() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let store = try #require(settings["OTP_STORE_DIR"])
        let (_, before) = try Self.check(settings)
        #expect(!before.contains("/r holds"))
        try Self.sh("mkdir -p '\(store)/r/ab' && touch '\(store)/r/ab/lock'")
        let (status, output) = try Self.check(settings)
        #expect(status == 0 && output.contains("note: store: \(store)/r holds the records of the store's layout before slot tables, which this "
                                               + "version does not read: requests remove it shard by shard, or remove it now with: rm -r \(store)/r\n"), "\(output)")
    }

    /// A relay that answers EHLO passes; one that does not listen, or that offers no STARTTLS when EMAIL_USE_TLS
    /// requires it, is a problem.
    @Test func theSMTPRelayMustAnswerAndOfferSTARTTLSWhenRequired() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let plain = try FakeServer("smtp_server.py", in: site, ["--mode", "plain"])
        let smtp = settings.merging(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": String(plain.port)]) { $1 }
        let (status, output) = try Self.check(smtp)
        #expect(status == 0 && output.contains("ok: email: the SMTP relay 127.0.0.1:\(plain.port) answers\n"), "\(output)")
        let (tlsStatus, tls) = try Self.check(smtp.merging(["EMAIL_USE_TLS": "true"]) { $1 })
        #expect(tlsStatus == 1 && tls.contains("problem: email: the SMTP relay 127.0.0.1:\(plain.port) did not answer as a send needs: "), "\(tls)")
        let certificate = try DeliveryTools.certificate(in: site.directory)
        let starttls = try FakeServer("smtp_server.py", in: site, ["--mode", "starttls", "--cert", certificate.cert, "--key", certificate.key])
        let secured = smtp.merging(["EMAIL_PORT": String(starttls.port), "EMAIL_USE_TLS": "true", "OTP_CA_BUNDLE": certificate.cert]) { $1 }
        let (securedStatus, securedOutput) = try Self.check(secured)
        #expect(securedStatus == 0 && securedOutput.contains("answers and offers STARTTLS\n"), "\(securedOutput)")
        plain.stop()
        let (downStatus, down) = try Self.check(smtp)
        #expect(downStatus == 1 && down.contains("did not answer as a send needs: curl exited with status 7 (connection refused or host unreachable)"), "\(down)")
    }

    @Test func redisMustAnswerPing() async throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let redis = try await RedisServer()
        let (status, output) = try Self.check(settings.merging(["OTP_STORE_URL": redis.url]) { $1 })
        #expect(status == 0 && output.contains("ok: store: redis at 127.0.0.1:"), "\(output)")
        redis.stop()
        let (downStatus, down) = try Self.check(settings.merging(["OTP_STORE_URL": redis.url]) { $1 })
        #expect(downStatus == 1 && down.contains("problem: store: redis at 127.0.0.1:") && down.contains("fix: start Redis"), "\(down)")
    }

    /// `--config` reads SetEnv lines as Apache does: quoted values, comments, later lines winning, and the
    /// absolute files that `Include` names (as the Debian package's configuration includes its settings).
    @Test func withConfigTheSetEnvLinesOfAnApacheFileAreTheSettings() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let included = site.directory.appendingPathComponent("key.conf"), conf = site.directory.appendingPathComponent("otp.conf")
        try "SetEnv OTP_SECRET_KEY \"a key with \\\"quotes\\\" and spaces\"\n".write(to: included, atomically: true, encoding: .utf8)
        let lines = settings.filter { $0.key != "OTP_SECRET_KEY" }.sorted { $0.key < $1.key }.map { "    SetEnv \($0.key) \"\($0.value)\"\n" }.joined()
        try ("# SetEnv OTP_TTL_SECONDS 0\n<Directory /srv>\n\(lines)    SetEnv OTP_TTL_SECONDS 0\n    SetEnv OTP_TTL_SECONDS 120\n</Directory>\n"
             + "Include \(included.path)\n").write(to: conf, atomically: true, encoding: .utf8)
        let (status, output) = try Self.check([:], arguments: ["--config", conf.path])
        #expect(status == 0 && output.hasPrefix("otp-cgi check: settings from the Apache SetEnv lines of \(conf.path)\nok: settings\n"), "\(output)")
        #expect(output.contains("ok: key: OTP_SECRET_KEY\n"))
        let (missing, said) = try Self.check([:], arguments: ["--config", "/nonexistent.conf"])
        #expect(missing == 2 && said.hasPrefix("otp-cgi check: server misconfigured: cannot read /nonexistent.conf: "))
    }

    /// N7: root checking a tenant's .htaccess ran the program its OTP_CURL_PATH named, as root. A file of
    /// settings that another user can change names no program the check starts: it says so and skips that probe.
    @Test func aConfigurationOthersCanWriteStartsNoProgram() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let marker = site.directory.appendingPathComponent("ran"), program = site.directory.appendingPathComponent("curl")
        try "#!/bin/sh\ntouch '\(marker.path)'\nexit 7\n".write(to: program, atomically: true, encoding: .utf8)
        #expect(chmod(program.path, 0o755) == 0)
        let conf = site.directory.appendingPathComponent("htaccess")
        let smtp = settings.merging(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": String(try Loopback.freePort()),
                                     "OTP_CURL_PATH": program.path]) { $1 }
        try smtp.sorted { $0.key < $1.key }.map { "SetEnv \($0.key) \"\($0.value)\"\n" }.joined().write(to: conf, atomically: true, encoding: .utf8)
        #expect(chmod(conf.path, 0o666) == 0)
        let (_, output) = try Self.check([:], arguments: ["--config", conf.path])
        #expect(output.contains("note: email: the SMTP relay 127.0.0.1:\(smtp["EMAIL_PORT"]!) is not probed: \(conf.path) can be changed by every user"),
                "\(output)")
        #expect(!FileManager.default.fileExists(atPath: marker.path))
        // The same file, the user's alone: its program is the user's own choice, and the probe runs it.
        #expect(chmod(conf.path, 0o644) == 0)
        let (status, probed) = try Self.check([:], arguments: ["--config", conf.path])
        #expect(status == 1 && probed.contains("did not answer as a send needs: curl exited with status 7"), "\(probed)")
        #expect(FileManager.default.fileExists(atPath: marker.path))
    }

    /// The settings files the docs ship for nginx and lighttpd, read in their own syntax: as shipped, the
    /// placeholder key is refused; with a key of the operator's own and a working store and outbox written in that
    /// syntax, all is well. A file with no settings line at all is refused rather than checked as empty.
    @Test(arguments: [("nginx/otp-cgi-settings.conf.example", "nginx fastcgi_param"),
                      ("lighttpd/otp-cgi-settings.conf.example", "lighttpd setenv")])
    func withConfigTheShippedNginxAndLighttpdSettingsAreRead(example: String, format: String) throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        let shipped = Project.root.appendingPathComponent(example).path
        let (refused, said) = try Self.check([:], arguments: ["--config", shipped])
        #expect(refused == 1 && said.hasPrefix("otp-cgi check: settings from the \(format) lines of \(shipped)\n"), "\(said)")
        #expect(said.contains("problem: settings: server misconfigured: OTP_SECRET_KEY holds the documentation's placeholder key"), "\(said)")

        var text = try String(contentsOfFile: shipped, encoding: .utf8)
            .replacingOccurrences(of: "at-least-16-random-characters-here", with: "an-operator-s-own-key-0123456789")
            .replacingOccurrences(of: "/var/lib/otp-cgi", with: settings["OTP_STORE_DIR"]!)
        var extra = ["EMAIL_BACKEND": "filebased", "EMAIL_FILE_PATH": settings["EMAIL_FILE_PATH"]!]
        // nginx's file names no store: a responder takes it from its own environment; fcgiwrap's CGI from here.
        if !text.contains(settings["OTP_STORE_DIR"]!) { extra["OTP_STORE_DIR"] = settings["OTP_STORE_DIR"]! }
        if format.hasPrefix("nginx") {
            text += extra.map { "fastcgi_param \($0.key) \"\($0.value)\";\n" }.joined()
        } else {
            text = text.replacingOccurrences(of: "setenv.add-environment = (\n",
                                             with: "setenv.add-environment = (\n" + extra.map { "    \"\($0.key)\" => \"\($0.value)\",\n" }.joined())
        }
        let conf = site.directory.appendingPathComponent("settings.conf")
        try text.write(to: conf, atomically: true, encoding: .utf8)
        let (status, output) = try Self.check([:], arguments: ["--config", conf.path])
        #expect(status == 0 && output.contains("\nok: key: OTP_SECRET_KEY\n") && output.contains("\nok: email: files in "), "\(output)")

        try "<VirtualHost *:80>\n</VirtualHost>\n".write(to: conf, atomically: true, encoding: .utf8)
        let (empty, nothing) = try Self.check([:], arguments: ["--config", conf.path])
        #expect(empty == 2 && nothing.hasPrefix("otp-cgi check: \(conf.path) gives no settings: "), "\(nothing)")
    }

    /// The package's production setting with no provider: each channel's problem names what to set.
    @Test func requiredProvidersMissingAreProblemsNamingTheirSettings() throws {
        let (site, settings) = try healthy()
        defer { withExtendedLifetime(site) {} }
        var required = settings.merging(["OTP_REQUIRE_PROVIDER_CONFIG": "true"]) { $1 }
        required["DEFAULT_FROM_EMAIL"] = nil
        let (status, output) = try Self.check(required)
        #expect(status == 1 && output.hasSuffix("otp-cgi check: 3 problems\n"), "\(output)")
        #expect(output.contains("problem: email: DEFAULT_FROM_EMAIL is not set, and OTP_REQUIRE_PROVIDER_CONFIG is true, so email requests answer 500\n"))
        #expect(output.contains("problem: SMS: no Twilio account, and OTP_REQUIRE_PROVIDER_CONFIG is true, so SMS requests answer 500\n"
                                + "  fix: set SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_TWILIO_SENDER\n"))
    }

    /// Under CGI the arguments are a client's (a query string without "="), so `--check` is not run there.
    @Test func underCGIAQueryOfCheckIsJustARequest() throws {
        let (status, output) = try Self.check(["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "QUERY_STRING": "--check"])
        #expect(status == 0 && output.hasPrefix("Status: 405 Method Not Allowed\r\n"), "\(output)")
    }

    /// The built generate with exactly `environment` (and PATH), as an operator's shell runs it.
    static func check(_ environment: [String: String], arguments: [String] = []) throws -> (Int32, String) {
        let process = Process(), output = Pipe()
        process.executableURL = try Project.executable("generate")
        process.arguments = ["--check"] + arguments
        process.environment = environment.merging(["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]) { $1 }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func sh(_ line: String) throws { try Project.run("/bin/sh", "-c", line) }
}
