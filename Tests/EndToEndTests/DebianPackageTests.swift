// `make deb`'s package installed for real on this machine with apt (the tests run as root): its files, the key and
// the store with their owners and modes, its Apache configuration enabled, the contract through the machine's
// Apache configuration as the package left it; then remove (nothing enabled, nothing running) and purge (no key,
// no store). The machine is left as it was found, mod_cgid included.
import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: getuid() == 0, "installs a package, which only root may")) struct DebianPackageTests {
    @Test func installServesTheContractRemoveDisablesItPurgeDeletesTheKeyAndTheStore() async throws {
        let lock = try await StockApache.lockEtc(exclusive: true)
        defer { close(lock) }
        let machine = try await StockApache(whileHoldingEtc: true)
        defer { machine.stop() }
        guard try machine.run("dpkg-query -W -f='${Status}' otp-cgi").1 != "install ok installed" else {
            throw TestFailure("otp-cgi is installed on this machine already; this test installs and purges it itself")
        }
        // The machine's own tools on the machine's own /etc/apache2, not the copy.
        let system = "env -u APACHE_CONFDIR -u APACHE_STATE_DIRECTORY DEBIAN_FRONTEND=noninteractive "
        let cgidWasOn = try machine.run(system + "a2query -q -m cgid").0 == 0
        _ = README.says("apt install ./dist/otp-cgi_*.deb")
        let built = try machine.shell("make -s -o build deb")
        let package = try #require(built.components(separatedBy: "' in '").last?.components(separatedBy: "'.").first)
        #expect(package.hasSuffix("_\(try machine.shell("dpkg --print-architecture").trimmingCharacters(in: .whitespacesAndNewlines)).deb"))
        #expect(package.hasPrefix(Project.root.appendingPathComponent("dist/otp-cgi_").path))
        let apt = system + "apt-get -o DPkg::Lock::Timeout=600 -y -q "
        defer {
            _ = try? machine.run(apt + "purge otp-cgi")
            try? FileManager.default.removeItem(atPath: package)
            // -p: as if never enabled, so that the next install enables it again (an admin's a2dismod would stop that).
            if !cgidWasOn { _ = try? machine.run(system + "a2dismod -q -p -f cgid") }
        }

        try machine.shell(apt + "install '\(package)'")
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/lib/otp-cgi/generate"))
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/lib/otp-cgi/verify"))
        #expect(FileManager.default.fileExists(atPath: "/etc/apache2/conf-enabled/otp-cgi.conf"))
        #expect(FileManager.default.fileExists(atPath: "/etc/apache2/mods-enabled/cgid.load"))
        let www = try #require(getpwnam("www-data")).pointee
        #expect(try Self.owner("/var/lib/otp-cgi") == (www.pw_uid, www.pw_gid, 0o700))
        #expect(try Self.owner("/etc/otp-cgi/secret.key") == (0, www.pw_gid, 0o640))
        #expect(try String(contentsOfFile: "/etc/otp-cgi/secret.key", encoding: .utf8).range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil)
        #expect(try Self.owner("/etc/otp-cgi/otp-cgi.conf") == (0, 0, 0o640))
        let conffiles = try machine.shell("dpkg-query -W -f='${Conffiles}' otp-cgi")
        #expect(conffiles.contains(" /etc/otp-cgi/otp-cgi.conf ") && conffiles.contains(" /etc/apache2/conf-available/otp-cgi.conf "))
        // What the executables run, and the licence in Debian's format.
        #expect(try machine.shell("dpkg-query -W -f='${Depends}' otp-cgi") == "curl")
        let copyright = try String(contentsOfFile: "/usr/share/doc/otp-cgi/copyright", encoding: .utf8)
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
                && copyright.contains("\nLicense: Apache-2.0\n") && copyright.contains("/usr/share/common-licenses/Apache-2.0"))

        // The machine's Apache configuration as the package left it, on a port of its own. An installed package is
        // production: with no provider configured, each channel answers 500 naming what to set, and stores nothing.
        let installed = try await StockApache(whileHoldingEtc: true)
        defer { installed.stop() }
        try await installed.start()
        let refused = try await installed.post("generate", ["channel": "sms", "identifier": "+14155550125"])
        #expect(refused.status == 500 && refused.detail == "sms provider not configured: set SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN, SMS_TWILIO_SENDER (OTP_REQUIRE_PROVIDER_CONFIG is true)", "\(refused)")
        let noFrom = try await installed.post("generate", ["channel": "email", "identifier": "joe@example.com"])
        #expect(noFrom.status == 500 && noFrom.detail == "email provider not configured: set DEFAULT_FROM_EMAIL (OTP_REQUIRE_PROVIDER_CONFIG is true)", "\(noFrom)")
        #expect(!installed.log("error.log").contains("console sms backend"))
        installed.stop()
        let unconfigured = try machine.run("/usr/lib/otp-cgi/generate --check --config /etc/apache2/conf-available/otp-cgi.conf").1
        #expect(unconfigured.contains("\nproblem: email: DEFAULT_FROM_EMAIL is not set, and OTP_REQUIRE_PROVIDER_CONFIG is true, so email requests answer 500\n")
                && unconfigured.contains("\nproblem: SMS: no Twilio account, and OTP_REQUIRE_PROVIDER_CONFIG is true, so SMS requests answer 500\n"), "\(unconfigured)")

        // Trying it without a provider, as the docs say: the console backend, which writes codes to the error log.
        _ = README.says("set `SetEnv OTP_REQUIRE_PROVIDER_CONFIG false` there")
        let settings = "/etc/otp-cgi/otp-cgi.conf"
        try machine.shell("sed -i 's/^SetEnv OTP_REQUIRE_PROVIDER_CONFIG true$/SetEnv OTP_REQUIRE_PROVIDER_CONFIG false/' \(settings)")
        #expect(try String(contentsOfFile: settings, encoding: .utf8).contains("\nSetEnv OTP_REQUIRE_PROVIDER_CONFIG false\n"))
        let trying = try await StockApache(whileHoldingEtc: true)
        defer { trying.stop() }
        try await trying.start()
        let sent = try await trying.post("generate", ["channel": "sms", "identifier": "+14155550125"])
        #expect(sent.status == 200 && sent.detail == "OTP sent", "\(sent)\n\(trying.log("error.log"))")
        let line = try #require(trying.log("error.log").components(separatedBy: "\n").last { $0.contains("console sms backend: to +14155550125: ") })
        let code = String(try #require(line.components(separatedBy: "Your OTP code is: ").last).prefix(6))
        let checked = try await trying.post("verify", ["channel": "sms", "identifier": "+14155550125", "code": code])
        #expect(checked.status == 200 && checked.detail == "Verified")
        // The records are in the package's store, and the key is not among them.
        let store = try machine.shell("ls -A /var/lib/otp-cgi").split(separator: "\n")
        #expect(!store.isEmpty && !store.contains("secret.key"))
        trying.stop()
        // The self-check on the package's configuration: its store and its key as the package made them.
        let check = try machine.run(README.says("/usr/lib/otp-cgi/generate --check --config /etc/apache2/conf-available/otp-cgi.conf")).1
        #expect(check.contains("\nok: store: /var/lib/otp-cgi belongs to www-data") && check.contains("\nok: key: OTP_SECRET_KEY_FILE\n"), "\(check)")

        try machine.shell(apt + "remove otp-cgi")
        #expect(!FileManager.default.fileExists(atPath: "/etc/apache2/conf-enabled/otp-cgi.conf"))
        #expect(!FileManager.default.fileExists(atPath: "/usr/lib/otp-cgi/generate"))
        #expect(Self.processes(under: "/usr/lib/otp-cgi/") == [])
        #expect(FileManager.default.fileExists(atPath: "/etc/otp-cgi/secret.key") && FileManager.default.fileExists(atPath: "/var/lib/otp-cgi"))
        let removed = try await StockApache(whileHoldingEtc: true)
        defer { removed.stop() }
        try await removed.start()
        #expect(try await removed.post("generate", ["channel": "sms", "identifier": "+14155550125"]).status == 404)
        removed.stop()

        try machine.shell(apt + "purge otp-cgi")
        for path in ["/etc/otp-cgi", "/var/lib/otp-cgi", "/etc/apache2/conf-available/otp-cgi.conf", "/usr/lib/otp-cgi"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left after purge")
        }
        #expect(try machine.run("dpkg-query -W -f='${Status}' otp-cgi").1 != "install ok installed")
    }

    static func owner(_ path: String) throws -> (uid_t, gid_t, mode_t) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw TestFailure("\(path): errno \(errno)") }
        return (info.st_uid, info.st_gid, info.st_mode & 0o7777)
    }

    /// Processes whose executable lies under `directory` (deleted or not).
    static func processes(under directory: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        return pids.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/exe") }.filter { $0.hasPrefix(directory) }
    }
}
