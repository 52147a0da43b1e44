// No secret (SMTP password, Twilio token) and no inherited variable (HTTP_PROXY: httpoxy) reaches a child's argv
// or environment: stand-ins for curl and sendmail record both, then run the real program.
import Foundation
import Testing
import TestSupport

@Suite struct DeliverySecretTests {
    let password = "smtp-Secret-Pa55"
    let token = "twilio-Secret-T0ken"

    /// A program at `name` in `site`'s directory that records its argv and environment, then execs `real`.
    func recorder(_ site: Site, _ name: String, execs real: String) throws -> String {
        let path = site.directory.appendingPathComponent(name)
        try DeliveryTools.script(path, """
            tr '\\0' '\\n' < /proc/$$/cmdline >> '\(site.directory.path)/\(name).argv'
            tr '\\0' '\\n' < /proc/$$/environ >> '\(site.directory.path)/\(name).environ'
            exec \(real) "$@"
            """)
        return path.path
    }

    /// What every recorded run of `name` saw: its argv must hold no secret, its environment only PATH.
    func checkChildren(_ site: Site, _ name: String) throws {
        let argv = try String(contentsOf: site.directory.appendingPathComponent("\(name).argv"), encoding: .utf8)
        let environ = try String(contentsOf: site.directory.appendingPathComponent("\(name).environ"), encoding: .utf8)
        #expect(!argv.isEmpty)
        for secret in [password, token, "evil.example"] {
            #expect(!argv.contains(secret) && !environ.contains(secret), "\(secret) reached \(name)")
        }
        #expect(Set(environ.split(separator: "\n")) == ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"])
    }

    @Test func curlForSMTPAndTwilioGetsSecretsOnlyThroughItsConfig() throws {
        let site = try Site(["HTTP_PROXY": "http://evil.example:3128", "http_proxy": "http://evil.example:3128"])
        let cert = try DeliveryTools.certificate(in: site.directory)
        let smtp = try FakeServer("smtp_server.py", in: site, ["--mode", "starttls", "--cert", cert.cert, "--key", cert.key,
                                                               "--user", "otp", "--password", password])
        let twilio = try FakeServer("fake_twilio.py", in: site, ["--sid", "AC1", "--token", token, "--cert", cert.cert, "--key", cert.key])
        try site.useSMTP(smtp, ["EMAIL_USE_TLS": "true", "EMAIL_HOST_USER": "otp", "EMAIL_HOST_PASSWORD": password,
                                "OTP_CURL_PATH": try recorder(site, "curl", execs: "/usr/bin/curl"),
                                "SMS_TWILIO_ACCOUNT_SID": "AC1", "SMS_TWILIO_AUTH_TOKEN": token, "SMS_TWILIO_SENDER": "+15005550006",
                                "OTP_TWILIO_BASE_URL": "https://127.0.0.1:\(twilio.port)"])
        try site.generate("email", "joe@example.com", expecting: 200)
        try site.generate("sms", "+14155552671", expecting: 200)
        #expect(try smtp.recorded().count == 1 && twilio.recorded().count == 1)
        try checkChildren(site, "curl")
    }

    @Test func sendmailGetsNoInheritedVariable() throws {
        let site = try Site(["HTTP_PROXY": "http://evil.example:3128", "EMAIL_BACKEND": "sendmail"])
        site.settings["EMAIL_SENDMAIL_PATH"] = try recorder(site, "sendmail", execs: "/bin/cat >/dev/null; :")
        try site.generate("email", "joe@example.com", expecting: 200)
        try checkChildren(site, "sendmail")
    }
}
