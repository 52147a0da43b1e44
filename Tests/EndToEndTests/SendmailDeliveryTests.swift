// EMAIL_BACKEND=sendmail end to end: a stand-in sendmail records how it was called and the message it was given.
import Foundation
import Testing
import TestSupport

@Suite struct SendmailDeliveryTests {
    let email = "joe@example.com"

    /// A sendmail that keeps its arguments (one a line) and stdin in `site`'s directory, then exits with `status`.
    func standIn(_ site: Site, status: Int = 0) throws -> URL {
        let path = site.directory.appendingPathComponent("sendmail")
        try DeliveryTools.script(path, """
            dir='\(site.directory.path)'
            printf '%s\\n' "$@" > "$dir/sendmail.argv"
            cat > "$dir/sendmail.stdin"
            [ \(status) -eq 0 ] || echo "sendmail: cannot queue message" >&2
            exit \(status)
            """)
        site.settings.merge(["EMAIL_BACKEND": "sendmail", "EMAIL_SENDMAIL_PATH": path.path]) { $1 }
        return path
    }

    @Test func sendmailGetsDashTDashIAndTheWholeMessage() throws {
        let site = try Site()
        _ = try standIn(site)
        try site.generate("email", email, expecting: 200)
        #expect(try String(contentsOf: site.directory.appendingPathComponent("sendmail.argv"), encoding: .utf8) == "-t\n-i\n")
        let message = try String(contentsOf: site.directory.appendingPathComponent("sendmail.stdin"), encoding: .utf8)
        let head = message.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(head.contains("From: otp@example.com") && head.contains("To: joe@example.com"))
        #expect(head.contains("MIME-Version: 1.0") && head.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(try site.verifies("email", email, try otpCode(in: message)))
    }

    @Test func aFailingSendmailIs500WithItsStatusInTheLog() throws {
        let site = try Site()
        _ = try standIn(site, status: 75)
        let answer = try site.generate("email", email, expecting: 500, detail: "Could not send the code by email")
        #expect(answer.stderr.contains("exited with status 75: sendmail: cannot queue message"))
        let message = try String(contentsOf: site.directory.appendingPathComponent("sendmail.stdin"), encoding: .utf8)
        #expect(try !site.verifies("email", email, try otpCode(in: message)))
    }

    @Test func aMissingSendmailIs500NamingTheSetting() throws {
        let site = try Site(["EMAIL_BACKEND": "sendmail", "EMAIL_SENDMAIL_PATH": "/nonexistent/sendmail"])
        let answer = try site.generate("email", email, expecting: 500, detail: "Could not send the code by email")
        #expect(answer.stderr.contains("cannot start /nonexistent/sendmail (EMAIL_SENDMAIL_PATH)"))
    }
}
