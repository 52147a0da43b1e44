// The token in the built verify's answers: only on a 200 verify, only with OTP_TOKEN_SECRET, never in a log line.
import Foundation
import Testing
import TestSupport

@Suite struct TokenAnswerTests {
    static let secret = "answer-secret-" + UUID().uuidString

    /// Sends a code and returns it, for a check to follow.
    static func send(_ site: Site, _ email: String) throws -> String {
        let sent = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(sent.status == 200)
        return try #require(try site.codes(for: email).last)
    }

    @Test func withoutATokenSecretVerifiedIsTheContractByteForByte() throws {
        let site = try Site(), email = uniqueEmail()
        let verified = try site.run("verify", json: ["channel": "email", "identifier": email, "code": try Self.send(site, email)])
        #expect(verified.status == 200)
        #expect(verified.body == "{\"detail\": \"Verified\"}\n")
    }

    @Test func withATokenSecretVerifiedCarriesAToken() throws {
        let site = try Site(["OTP_TOKEN_SECRET": Self.secret]), email = uniqueEmail()
        let verified = try site.run("verify", json: ["channel": "email", "identifier": email, "code": try Self.send(site, email)])
        #expect(verified.status == 200 && Set(verified.json.keys) == ["detail", "token"])
        #expect(verified.body.hasPrefix(#"{"detail": "Verified", "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."#))
        let token = try #require(verified.json["token"] as? String)
        #expect(!verified.stderr.contains(token) && !verified.stderr.contains(Self.secret))
        #expect(!verified.stderr.contains(token.split(separator: ".")[2]))
    }

    /// Every other answer, success or failure, of either endpoint, has no token; no log line names token or key.
    @Test func noTokenOnAnyAnswerButA200VerifyNorInALogLine() throws {
        let site = try Site(["OTP_TOKEN_SECRET": Self.secret, "OTP_MAX_ATTEMPTS": "2"]), email = uniqueEmail()
        let code = try Self.send(site, email), wrong = String(code.map { $0 == "0" ? "1" : "0" })
        let answers = [
            try site.run("generate", json: ["channel": "email", "identifier": email]),
            try site.run("verify", json: ["channel": "email", "identifier": email, "code": wrong]),
            try site.run("verify", json: ["channel": "email", "identifier": email, "code": wrong]),
            try site.run("verify", json: ["channel": "email", "identifier": email, "code": code]),
            try site.run("verify", json: ["channel": "sms", "identifier": "not a phone", "code": code]),
            try site.run("verify", method: "GET", contentType: nil),
            try site.run("verify", "channel=email", contentType: "text/plain"),
        ]
        #expect(answers.map(\.status) == [429, 400, 400, 429, 400, 405, 415])
        for answer in answers {
            #expect(answer.json["token"] == nil && !answer.body.contains("token") && !answer.body.contains("eyJ"))
            #expect(!answer.stderr.contains(Self.secret) && !answer.stderr.contains("eyJ"), "\(answer.stderr)")
        }
    }

    @Test(arguments: ["generate", "verify"])
    func aShortTokenSecretIsAMisconfiguration(program: String) throws {
        let short = String(repeating: "s", count: 31)
        let site = try Site(["OTP_TOKEN_SECRET": short])
        let answer = try site.run(program, json: ["channel": "email", "identifier": uniqueEmail(), "code": "123456"])
        #expect(answer.status == 500)
        #expect(answer.detail == "server misconfigured: OTP_TOKEN_SECRET must be at least 32 bytes")
        #expect(!answer.body.contains(short) && !answer.stderr.contains(short))
    }
}
