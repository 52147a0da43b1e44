// lighttpd's route over HTTPS as its confs' comment says: Debian's 10-ssl.conf with the certificate set, the
// redirect line as written, and the route's own conf with the shipped settings example, checked by `lighttpd -tt`
// and then served.
import Foundation
import Testing
import TestSupport

@Suite struct LighttpdTLSTests {
    @Test(arguments: ["lighttpd/otp-cgi.conf", "lighttpd/otp-fastcgi.conf"])
    func theTLSGuidancePassesTheConfigCheckAndSendsPlainHTTPToHTTPS(route: String) async throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("otp-lighttpd-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("empty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: run) }
        let conf = try String(contentsOf: Project.root.appendingPathComponent(route), encoding: .utf8)
        // The comment's lines, word for word.
        #expect(conf.contains("#   apt-get install lighttpd-mod-openssl && lighty-enable-mod ssl\n"))
        let redirect = try #require(conf.components(separatedBy: "\n").first { $0.hasPrefix("#   $HTTP[\"scheme\"] == \"http\"") }).dropFirst(4)
        let cert = run.appendingPathComponent("fullchain.pem").path, key = run.appendingPathComponent("privkey.pem").path
        try Project.run("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-keyout", key, "-out", cert)
        let settings = run.appendingPathComponent("otp-cgi-settings.conf")
        try FileManager.default.copyItem(at: Project.root.appendingPathComponent("lighttpd/otp-cgi-settings.conf.example"), to: settings)
        let routeCopy = run.appendingPathComponent("route.conf")
        try conf.replacingOccurrences(of: "/etc/lighttpd/otp-cgi-settings.conf", with: settings.path)
            .replacingOccurrences(of: "/run/lighttpd/", with: run.path + "/")
            .replacingOccurrences(of: "/srv/otp-cgi/cgi-bin/", with: Project.root.appendingPathComponent("cgi-bin").path + "/")
            .write(to: routeCopy, atomically: true, encoding: .utf8)
        // Debian's 10-ssl.conf as the comment says to set it, and its lighttpd.conf's modules (mod_redirect among them).
        let debianSSL = try String(contentsOfFile: "/etc/lighttpd/conf-available/10-ssl.conf", encoding: .utf8)
        #expect(debianSSL.contains("ssl.pemfile = \"/etc/lighttpd/server.pem\""))
        let (port, tlsPort) = (try Loopback.freePort(), try Loopback.freePort())
        let ssl = debianSSL.replacingOccurrences(of: "ssl.pemfile = \"/etc/lighttpd/server.pem\"", with: "ssl.pemfile = \"\(cert)\"\nssl.privkey = \"\(key)\"")
            .replacingOccurrences(of: "0.0.0.0:443", with: "127.0.0.1:\(tlsPort)")
            .replacingOccurrences(of: "include_shell \"/usr/share/lighttpd/use-ipv6.pl 443\"", with: "")
        let main = """
            server.modules = ( "mod_access", "mod_alias", "mod_redirect" )
            server.document-root = "\(run.path)/empty"
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.pid-file = "\(run.path)/lighttpd.pid"
            server.errorlog = "\(run.path)/error.log"
            \(ssl)
            \(redirect)
            include "\(routeCopy.path)"

            """
        let file = run.appendingPathComponent("lighttpd.conf")
        try main.write(to: file, atomically: true, encoding: .utf8)
        let check = Process(), output = Pipe()
        check.executableURL = URL(fileURLWithPath: "/usr/sbin/lighttpd")
        check.arguments = ["-tt", "-f", file.path]
        check.standardOutput = output
        check.standardError = output
        try check.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(said)")

        let server = try ServerProcess(["/usr/sbin/lighttpd", "-D", "-f", file.path], output: run.appendingPathComponent("stderr.log"))
        defer { server.stop(group: true) }
        try await server.waitWhileRunning { Loopback.accepts(port: port) && Loopback.accepts(port: tlsPort) }
        let (plainStatus, plainHeaders) = try Self.curl(["-s", "-o", "/dev/null", "-D", "-", "http://127.0.0.1:\(port)/api/otp/generate"])
        #expect(plainStatus == 0 && plainHeaders.hasPrefix("HTTP/1.1 301") && plainHeaders.lowercased().contains("\nlocation: https://127.0.0.1:\(port)/api/otp/generate\r\n"), "\(plainHeaders)")
        // Over TLS the service itself answers: with the example's settings as shipped, refusing its placeholder key.
        let (tlsStatus, answer) = try Self.curl(["-sk", "https://127.0.0.1:\(tlsPort)/api/otp/generate", "-H", "Content-Type: application/json",
                                                 "-d", #"{"channel": "sms", "identifier": "+14155550123"}"#])
        #expect(tlsStatus == 0 && answer.contains("server misconfigured: OTP_SECRET_KEY holds the documentation's placeholder key"), "\(answer)")
    }

    static func curl(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
