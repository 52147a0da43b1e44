// `OTP_LOG=syslog`: the service's lines as datagrams on a syslog socket, each at its level, for the routes whose
// stderr reaches no operator (a daemonised lighttpd) or reaches one at error level (nginx, mod_proxy_fcgi). The
// socket is a real one the test binds in place of /dev/log, named by OTP_SYSLOG_SOCKET in the process environment.
import Foundation
import Testing
@testable import Gateway
import TestSupport

@Suite struct SyslogTests {
    /// A CGI request's lines, none on stderr: the new store directory's and the console backend's at notice
    /// (29 = daemon.notice), the
    /// request's own at info (30), a 400 at info, a misconfiguration's 500 at err (27). Each is one datagram with
    /// the tag and pid that journald and rsyslog parse, and a control character from a client stays escaped.
    @Test func cgiLinesGoToTheSocketEachAtItsLevel() throws {
        _ = README.says("`info` for a request answered below 500, `err` for a 500 and for a store or delivery fault, `notice` for the console backend")
        let site = try Site(["OTP_LOG": "syslog"])
        let syslog = try DatagramSocket(in: site.directory)
        site.settings["OTP_SYSLOG_SOCKET"] = syslog.path
        let sent = try site.run("generate", json: ["channel": "sms", "identifier": "+14155550177"])
        #expect(sent.status == 200 && sent.stderr.isEmpty, "\(sent.stderr)")
        let lines = syslog.received()
        try #require(lines.count == 3, "\(lines)")
        #expect(lines[0].hasPrefix("<29>otp-cgi[") && lines[0].contains("]: store: created the store directory "), "\(lines)")
        #expect(lines[1].hasPrefix("<29>otp-cgi[") && lines[1].contains("]: console sms backend: to +14155550177: Your OTP code is: "), "\(lines)")
        #expect(lines[2].hasPrefix("<30>otp-cgi[") && lines[2].contains(#"]: generate 200 "OTP sent""#), "\(lines)")

        let refused = try site.run("generate", json: ["channel": "sms", "identifier": "+1415\n555"])
        #expect(refused.status == 400 && refused.stderr.isEmpty)
        let four = syslog.received()
        #expect(four.count == 1 && four[0].hasPrefix("<30>otp-cgi[") && four[0].contains("generate 400 "), "\(four)")

        site.settings["OTP_CODE_LENGTH"] = "99"
        let broken = try site.run("generate", json: ["channel": "sms", "identifier": "+14155550177"])
        #expect(broken.status == 500 && broken.stderr.isEmpty)
        let five = syslog.received()
        #expect(five.count == 1 && five[0].hasPrefix("<27>otp-cgi[") && five[0].contains("generate 500 \"server misconfigured: OTP_CODE_LENGTH"), "\(five)")
        #expect(!five[0].contains("\n"))
    }

    /// A FastCGI request chooses syslog in its parameters, as nginx's fastcgi_param lines do; the socket's path
    /// comes from the responder's own environment only: a path in the parameters gets nothing, and the web
    /// server gets no STDERR record.
    @Test func fastCGILinesGoToTheProcessesSocketNeverToOneARequestNames() throws {
        let site = try Site()
        let syslog = try DatagramSocket(in: site.directory, name: "process.sock"), other = try DatagramSocket(in: site.directory, name: "request.sock")
        let responder = try Responder("generate", site: site, environment: ["OTP_SYSLOG_SOCKET": syslog.path])
        let answer = try responder.exchange(responder.request(#"{"channel": "sms", "identifier": "+14155550178"}"#,
                                                              params: [("OTP_LOG", "syslog"), ("OTP_SYSLOG_SOCKET", other.path)]))
        #expect(answer.status == 200 && answer.stderr.isEmpty, "\(answer.stderr)")
        let lines = syslog.received()
        #expect(lines.count == 3 && lines[2].hasPrefix("<30>otp-cgi[\(responder.process.pid)]: generate 200 "), "\(lines)")
        #expect(other.received().isEmpty)
        // Without OTP_LOG the lines stay the gateway's (FastCGI's STDERR), as before.
        let plain = try responder.exchange(responder.request(#"{"channel": "sms", "identifier": "+14155550179"}"#))
        #expect(plain.status == 200 && plain.stderr.contains("otp-cgi: generate 200 "))
        #expect(syslog.received().isEmpty)
    }

    /// A responder started with OTP_LOG=syslog (a systemd unit's `Environment=`) sends every request's lines there:
    /// its own environment wins over a request's, as for every setting, so a request need not say it, and one that
    /// says stderr changes nothing.
    @Test func aRespondersOwnOTPLogSendsEveryRequestsLinesToSyslog() throws {
        let site = try Site()
        let syslog = try DatagramSocket(in: site.directory, name: "process.sock")
        let responder = try Responder("generate", site: site, environment: ["OTP_SYSLOG_SOCKET": syslog.path, "OTP_LOG": "syslog"])
        for (number, params) in [("+14155550181", [(String, String)]()), ("+14155550182", [("OTP_LOG", "stderr")])] {
            let answer = try responder.exchange(responder.request(#"{"channel": "sms", "identifier": "\#(number)"}"#, params: params))
            #expect(answer.status == 200 && answer.stderr.isEmpty, "\(answer.stderr)")
            let lines = syslog.received()
            #expect(lines.last?.hasPrefix("<30>otp-cgi[\(responder.process.pid)]: generate 200 ") == true, "\(lines)")
        }
    }

    /// No syslog listening: nothing is lost, the lines go to stderr. An unknown OTP_LOG is a misconfiguration.
    @Test func withoutASyslogTheLinesGoToStderrAndAnUnknownValueIsRefused() throws {
        let site = try Site(["OTP_LOG": "syslog", "OTP_SYSLOG_SOCKET": "/nonexistent/dev-log"])
        let sent = try site.run("generate", json: ["channel": "sms", "identifier": "+14155550180"])
        #expect(sent.status == 200 && sent.stderr.contains("otp-cgi: generate 200 "), "\(sent.stderr)")
        site.settings["OTP_LOG"] = "journal"
        let refused = try site.run("generate", json: ["channel": "sms", "identifier": "+14155550180"])
        #expect(refused.status == 500 && refused.detail == "server misconfigured: OTP_LOG must be stderr or syslog")
    }
}
