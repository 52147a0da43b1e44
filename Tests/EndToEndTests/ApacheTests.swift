// The contract through a real Apache (mpm_event, mod_cgid) started from apache/local.conf.in, over HTTP.
import Foundation
import Testing
import TestSupport

@Suite(.localApache()) struct ApacheTests {
    @Test func aSentCodeArrivesInTheOutboxAndVerifies() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        let sent = try await apache.post("generate", ["channel": "email", "identifier": email])
        #expect(sent.status == 200 && sent.detail == "OTP sent" && sent.headers["content-type"] == "application/json")
        #expect(sent.headers["cache-control"] == "no-store")
        let code = try apache.outbox.code(for: email)
        let checked = try await apache.post("verify", ["channel": "email", "identifier": email, "code": code], accept: "application/json")
        #expect(checked.status == 200 && checked.detail == "Verified")
    }

    @Test func aWrongCodeIs400() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        #expect(try await apache.post("generate", ["channel": "email", "identifier": email]).status == 200)
        let wrong = String(try apache.outbox.code(for: email).map { $0 == "0" ? "1" : "0" })
        let checked = try await apache.post("verify", ["channel": "email", "identifier": email, "code": wrong])
        #expect(checked.status == 400 && checked.detail == "Invalid or expired code")
    }

    @Test(arguments: ["generate", "verify"]) func getIs405WithAllow(endpoint: String) async throws {
        let apache = try LocalApache.running
        let answer = try await apache.get("api/otp/\(endpoint)")
        #expect(answer.status == 405 && answer.headers["allow"] == "POST")
    }

    /// The CGI reads and discards the body before answering: without that, mod_cgid resets the connection
    /// and the client sees an error instead of the 413.
    @Test(arguments: [16 * 1024 + 1, 900 * 1024]) func aBodyAbove16KiBIs413(size: Int) async throws {
        let apache = try LocalApache.running
        let answer = try await apache.post("generate", body: Data(repeating: UInt8(ascii: " "), count: size), contentType: "application/json")
        #expect(answer.status == 413 && answer.detail == "Request body too large")
    }

    /// The README's curl line without its `-H 'Content-Type: application/json'`: curl labels the JSON a form.
    @Test func jsonSentAsAFormIs400SayingSo() async throws {
        let apache = try LocalApache.running
        let answer = try await apache.post("generate", body: Data(#"{"channel": "email", "identifier": "joe@example.com"}"#.utf8),
                                           contentType: "application/x-www-form-urlencoded")
        #expect(answer.status == 400 && answer.detail == "The body is JSON but was sent as a form; send it with Content-Type: application/json")
    }

    @Test func anotherContentTypeIs415() async throws {
        let apache = try LocalApache.running
        #expect(try await apache.post("generate", body: Data("channel=email".utf8), contentType: "text/plain").status == 415)
    }

    /// A browser's form post: a page with the outcome and, after a sent code, the check form pre-filled.
    @Test func aBrowserGetsAPageWithTheCheckForm() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        let answer = try await apache.postForm("generate", "channel=email&identifier=\(email)")
        #expect(answer.status == 200 && answer.headers["content-type"] == "text/html; charset=utf-8")
        #expect(answer.headers["cache-control"] == "no-store")
        #expect(answer.headers["content-security-policy"]?.hasPrefix("default-src 'none'") == true)
        #expect(answer.body.contains(#"<form method="post" action="verify">"#))
        #expect(answer.body.contains(#"<option value="email" selected>"#) && answer.body.contains(#"value="\#(email)""#))
    }

    @Test func whatABrowserSentComesBackEscaped() async throws {
        let apache = try LocalApache.running
        let answer = try await apache.postForm("generate", "channel=email&identifier=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        #expect(answer.status == 400 && answer.headers["content-type"] == "text/html; charset=utf-8")
        #expect(answer.body.contains(#"value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#))
        #expect(!answer.body.contains("<script"))
    }
}

/// Many requests at once through Apache: the store's lock, not luck, decides. The lock timeout is the longest
/// allowed, so a slow machine cannot turn a wait into a 503.
/// The 29 verifies that find the code used count as failures, so the window's limit must hold them (30).
@Suite(.localApache(["OTP_LOCK_TIMEOUT_MS": "30000", "OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "30"])) struct ApacheConcurrencyTests {
    @Test func ofThirtyParallelVerifiesOfOneCodeExactlyOneSucceeds() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        #expect(try await apache.post("generate", ["channel": "email", "identifier": email]).status == 200)
        let fields = ["channel": "email", "identifier": email, "code": try apache.outbox.code(for: email)]
        let statuses = try await parallel(30) { try await apache.post("verify", fields).status }
        #expect(statuses.filter { $0 == 200 }.count == 1 && statuses.filter { $0 == 400 }.count == 29, "\(statuses.sorted())")
    }

    @Test func ofThirtyParallelSendsToOneIdentifierExactlyOneSucceeds() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        let statuses = try await parallel(30) { try await apache.post("generate", ["channel": "email", "identifier": email]).status }
        #expect(statuses.filter { $0 == 200 }.count == 1 && statuses.filter { $0 == 429 }.count == 29, "\(statuses.sorted())")
        #expect(try apache.outbox.messages(to: email).count == 1)
    }

    private func parallel(_ count: Int, _ body: @escaping @Sendable () async throws -> Int) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count { group.addTask(operation: body) }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}

@Suite(.localApache(["OTP_MAX_ATTEMPTS": "2"])) struct ApacheAttemptsTests {
    @Test func afterTheLastWrongAttemptEvenTheRightCodeIs429() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        #expect(try await apache.post("generate", ["channel": "email", "identifier": email]).status == 200)
        let code = try apache.outbox.code(for: email), wrong = String(code.map { $0 == "0" ? "1" : "0" })
        for _ in 1...2 {
            #expect(try await apache.post("verify", ["channel": "email", "identifier": email, "code": wrong]).status == 400)
        }
        let last = try await apache.post("verify", ["channel": "email", "identifier": email, "code": code])
        #expect(last.status == 429 && last.detail == "Too many attempts; request a new code")
    }
}

/// apache/htaccess as shared hosting uses it: a web root with AllowOverride All, the executables in its
/// otp-cgi/, and mod_rewrite mapping the API onto them. The setting arrives through the .htaccess's SetEnv.
/// (mod_proxy_fcgi is server configuration, out of a .htaccess user's reach, so that gateway skips these.)
@Suite(.localApache(["OTP_EMAIL_SUBJECT": "Sent through .htaccess"], sharedHosting: true), .enabled(if: TestGateway.current != .proxyFastCGI))
struct HtaccessTests {
    @Test func theRewrittenEndpointsSendAndVerify() async throws {
        let apache = try LocalApache.running, email = uniqueEmail()
        let sent = try await apache.post("generate", ["channel": "email", "identifier": email])
        #expect(sent.status == 200 && sent.detail == "OTP sent")
        #expect(try apache.outbox.messages(to: email).last?.contains("\r\nSubject: Sent through .htaccess\r\n") == true)
        let checked = try await apache.post("verify", ["channel": "email", "identifier": email, "code": try apache.outbox.code(for: email)])
        #expect(checked.status == 200 && checked.detail == "Verified")
    }

    @Test func getReachesTheExecutable() async throws {
        let apache = try LocalApache.running
        let answer = try await apache.get("api/otp/generate")
        #expect(answer.status == 405 && answer.headers["allow"] == "POST")
    }
}

/// A cooldown no load can outlast between two requests: under the whole suite on two shared cores, one request
/// once took longer than the default 30 seconds, and the second send was rightly no longer within it.
@Suite(.localApache(["OTP_RESEND_COOLDOWN_SECONDS": "3600"])) struct ApacheCooldownTests {
    @Test func aSecondSendWithinTheCooldownIs429WithRetryAfter() async throws {
        let apache = try LocalApache.running, fields = ["channel": "email", "identifier": uniqueEmail()]
        #expect(try await apache.post("generate", fields).status == 200)
        let again = try await apache.post("generate", fields)
        #expect(again.status == 429, "\(again.status) \(again.body)")
        #expect((1...3600).contains(Int(again.headers["retry-after"] ?? "") ?? 0))
    }
}
