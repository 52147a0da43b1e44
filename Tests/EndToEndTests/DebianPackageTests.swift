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

        // The machine's Apache configuration as the package left it, on a port of its own.
        let installed = try await StockApache(whileHoldingEtc: true)
        defer { installed.stop() }
        try await installed.start()
        let sent = try await installed.post("generate", ["channel": "sms", "identifier": "+14155550125"])
        #expect(sent.status == 200 && sent.detail == "OTP sent", "\(sent)\n\(installed.log("error.log"))")
        let line = try #require(installed.log("error.log").components(separatedBy: "\n").last { $0.contains("console sms backend: to +14155550125: ") })
        let code = String(try #require(line.components(separatedBy: "Your OTP code is: ").last).prefix(6))
        let checked = try await installed.post("verify", ["channel": "sms", "identifier": "+14155550125", "code": code])
        #expect(checked.status == 200 && checked.detail == "Verified")
        // The records are in the package's store, and the key is not among them.
        let store = try machine.shell("ls -A /var/lib/otp-cgi").split(separator: "\n")
        #expect(!store.isEmpty && !store.contains("secret.key"))
        installed.stop()
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
