// Many CGI processes at once on one store: the flock discipline must make each outcome exact.
import Foundation
import Testing
import TestSupport

@Suite struct CGIConcurrencyTests {
    let email = "race@example.com"

    private func body(_ fields: [String: String]) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: fields)) }

    /// The 29 that find the code used count as failures (a used code answers as an unknown one), so the window's
    /// limit must hold them all for each to get its 400.
    @Test func thirtyVerifiesOfOneRightCodeGiveExactlyOne200() throws {
        let site = try Site(["OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "30"])
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let answers = try site.runAll("verify", Array(repeating: try body(["channel": "email", "identifier": email, "code": code]), count: 30))
        #expect(answers.filter { $0.status == 200 }.count == 1)
        #expect(answers.filter { $0.status == 400 }.count == 29)
    }

    @Test func thirtyGeneratesForOneIdentifierGiveOne200And29Cooldowns() throws {
        let site = try Site()
        let answers = try site.runAll("generate", Array(repeating: try body(["channel": "email", "identifier": email]), count: 30))
        #expect(answers.filter { $0.status == 200 }.count == 1)
        #expect(answers.filter { $0.status == 429 && $0.headers["retry-after"] != nil }.count == 29)
        #expect(try site.codes(for: email).count == 1)
    }

    @Test func thirtyWrongGuessesNeverCountMoreThanMaxAttempts() throws {
        let site = try Site(["OTP_MAX_ATTEMPTS": "5"])
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let guesses = (0..<30).map { i in String(format: "%06d", (Int(code)! + 1 + i) % 1_000_000) }
        let answers = try site.runAll("verify", try guesses.map { try body(["channel": "email", "identifier": email, "code": $0]) })
        #expect(answers.filter { $0.status == 400 }.count == 5)
        #expect(answers.filter { $0.status == 429 }.count == 25)
        #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": code]).status == 429)
    }

    @Test func manyIdentifiersAtOnceAllSucceed() throws {
        // From one address, 40 would pass the per-client limit's default of 30.
        let site = try Site(["OTP_IP_MAX_SENDS_PER_WINDOW": "0"])
        let bodies = try (0..<40).map { try body(["channel": "email", "identifier": "user\($0)@example.com"]) }
        let answers = try site.runAll("generate", bodies)
        #expect(answers.allSatisfy { $0.status == 200 })
        let verifies = try (0..<40).map { i in
            try body(["channel": "email", "identifier": "user\(i)@example.com", "code": try #require(try site.codes(for: "user\(i)@example.com").first)])
        }
        #expect(try site.runAll("verify", verifies).allSatisfy { $0.status == 200 })
    }
}
