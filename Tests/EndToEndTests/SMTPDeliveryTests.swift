// EMAIL_BACKEND=smtp end to end: cgi-bin/generate hands the message to curl, a real SMTP server (aiosmtpd) takes it.
import Foundation
import Testing
import TestSupport

@Suite struct SMTPDeliveryTests {
    let email = "joe@example.com"
    /// Every character curl's config syntax treats specially, and a colon (the user/password separator).
    let password = #"p a"s\s:w#rd"#

    /// Sends one code and returns the message the server received, after checking its envelope.
    func deliver(_ site: Site, _ smtp: FakeServer, tls: Bool, authenticated: Bool) throws -> String {
        try site.generate("email", email, expecting: 200)
        let records = try smtp.recorded()
        try #require(records.count == 1)
        #expect(records[0]["mail_from"] as? String == "otp@example.com")
        #expect(records[0]["rcpt_tos"] as? [String] == [email])
        #expect(records[0]["tls"] as? Bool == tls && records[0]["authenticated"] as? Bool == authenticated)
        let message = try smtp.message(1)
        #expect(try site.verifies("email", email, try otpCode(in: message)))
        return message
    }

    @Test func plainSMTPDeliversAWellFormedMessageWhoseCodeVerifies() throws {
        let site = try Site()
        let smtp = try FakeServer("smtp_server.py", in: site, ["--mode", "plain"])
        try site.useSMTP(smtp)
        let message = try deliver(site, smtp, tls: false, authenticated: false)
        let head = message.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(head.contains("From: otp@example.com") && head.contains("To: joe@example.com"))
        #expect(head.contains("Subject: Your verification code") && head.contains("MIME-Version: 1.0"))
        #expect(head.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(head.contains { $0.range(of: #"^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$"#, options: .regularExpression) != nil })
        #expect(head.contains { $0.range(of: #"^Message-ID: <[0-9a-f]+@example\.com>$"#, options: .regularExpression) != nil })
        #expect(message.contains("\r\n\r\nYour OTP code is: "))
    }

    @Test func aNonASCIISubjectIsRFC2047Encoded() throws {
        let site = try Site(["OTP_EMAIL_SUBJECT": "Ihr Bestätigungscode"])
        let smtp = try FakeServer("smtp_server.py", in: site, ["--mode", "plain"])
        try site.useSMTP(smtp)
        let message = try deliver(site, smtp, tls: false, authenticated: false)
        let subject = try #require(message.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: ") })
        let word = try #require(subject.firstMatch(of: /=\?utf-8\?b\?([A-Za-z0-9+\/=]+)\?=/)?.1)
        #expect(String(data: try #require(Data(base64Encoded: String(word))), encoding: .utf8) == "Ihr Bestätigungscode")
    }

    /// An SMTP server with TLS (`starttls` or `implicit`) that accepts only otp-user with `password`.
    private func authenticatingServer(_ site: Site, mode: String) throws -> FakeServer {
        let cert = try DeliveryTools.certificate(in: site.directory)
        return try FakeServer("smtp_server.py", in: site, ["--mode", mode, "--cert", cert.cert, "--key", cert.key,
                                                           "--user", "otp-user", "--password", password])
    }

    @Test(arguments: [("starttls", "EMAIL_USE_TLS"), ("implicit", "EMAIL_USE_SSL")])
    func tlsWithAuthDelivers(mode: String, setting: String) throws {
        let site = try Site()
        let smtp = try authenticatingServer(site, mode: mode)
        try site.useSMTP(smtp, [setting: "true", "EMAIL_HOST_USER": "otp-user", "EMAIL_HOST_PASSWORD": password])
        _ = try deliver(site, smtp, tls: true, authenticated: true)
    }

    @Test func aRefusedLoginIs500WithNoCodeAndNoPasswordInTheLog() throws {
        let site = try Site()
        let smtp = try authenticatingServer(site, mode: "starttls")
        try site.useSMTP(smtp, ["EMAIL_USE_TLS": "true", "EMAIL_HOST_USER": "otp-user", "EMAIL_HOST_PASSWORD": "wrong-Pa55word"])
        let answer = try site.generate("email", email, expecting: 500, detail: "Could not send the code by email")
        #expect(answer.stderr.contains("login denied"))
        #expect(!answer.stderr.contains("wrong-Pa55word"))
        #expect(try smtp.recorded().isEmpty)
    }

    @Test(arguments: [
        ("down", [String: String](), "connection refused"),
        ("hang", ["EMAIL_TIMEOUT": "1"], "timed out"),
        ("plain", ["EMAIL_USE_TLS": "true"], "does not offer STARTTLS"),
        ("untrusted", ["EMAIL_USE_SSL": "true"], "not trusted"),
    ])
    func anUnusableServerIs500WithTheCauseInTheLog(server: String, settings: [String: String], cause: String) throws {
        let site = try Site()
        let cert = try DeliveryTools.certificate(in: site.directory)
        let mode = ["down": "plain", "untrusted": "implicit"][server] ?? server
        let smtp = try FakeServer("smtp_server.py", in: site, ["--mode", mode, "--cert", cert.cert, "--key", cert.key])
        if server == "down" { smtp.stop() }
        try site.useSMTP(smtp, settings)
        if server == "untrusted" { site.settings["OTP_CA_BUNDLE"] = nil }
        let answer = try site.generate("email", email, expecting: 500, detail: "Could not send the code by email")
        #expect(answer.stderr.contains(cause), "\(answer.stderr)")
        #expect(try smtp.recorded().isEmpty)
    }

    @Test func aMissingCurlIs500NamingTheChannelAndTheSetting() throws {
        let site = try Site(["EMAIL_BACKEND": "smtp", "OTP_CURL_PATH": "/nonexistent/curl"])
        let answer = try site.generate("email", email, expecting: 500, detail: "Could not send the code by email")
        #expect(answer.stderr.contains("cannot start /nonexistent/curl (OTP_CURL_PATH)"))
    }
}
