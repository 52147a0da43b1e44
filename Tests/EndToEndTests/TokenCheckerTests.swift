// Our token checked by code nobody here wrote: the README's PHP (php-cli), Python (PyJWT) and Node (its own
// crypto) snippets, run from examples/, against tokens the built verify issued and forgeries made from them.
import Foundation
import Testing
import TestSupport
@testable import Web
@testable import OTP

@Suite struct TokenCheckerTests {
    static let secret = "token-secret-" + UUID().uuidString
    static let audience = "https://shop.example"

    enum Checker: String, CaseIterable, Sendable {
        case php, python, node

        var command: [String] {
            let directory = Project.root.appendingPathComponent("Tests/TokenCheckers").path
            return switch self {
            case .php: ["/usr/bin/env", "php", directory + "/check.php"]
            case .python: ["/usr/bin/env", "python3", directory + "/check.py"]
            case .node: ["/usr/bin/env", "node", directory + "/check.js"]
            }
        }
    }

    /// A code sent and checked through the built executables; the 200 answer's token.
    static func issue(_ settings: [String: String], state: String? = nil) throws -> (site: Site, token: String, email: String) {
        let site = try Site(settings), email = uniqueEmail("token")
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).last)
        var body = ["channel": "email", "identifier": email, "code": code]
        body["state"] = state
        let answer = try site.run("verify", json: body)
        #expect(answer.status == 200 && answer.detail == "Verified")
        return (site, try #require(answer.json["token"] as? String), email)
    }

    /// Accepted once (the second use is a replay); refused changed, wrongly keyed, unsigned, HS512 and expired.
    @Test(arguments: Checker.allCases)
    func theREADMESnippetAcceptsAFreshTokenOnceAndRefusesTheRest(checker: Checker) async throws {
        let settings = ["OTP_TOKEN_SECRET": Self.secret, "OTP_TOKEN_AUDIENCE": Self.audience]
        let fresh = try Self.issue(settings)
        let otherKey = try Self.issue(settings.merging(["OTP_TOKEN_SECRET": String(repeating: "w", count: 40)]) { $1 })
        let expired = try Self.expiredToken(settings)
        let forged = try JSONSerialization.jsonObject(with: Data(try Tool.run(
            ["/usr/bin/env", "python3", Project.root.appendingPathComponent("Tests/TokenCheckers/forge.py").path],
            input: String(decoding: try JSONSerialization.data(withJSONObject: ["token": fresh.token, "secret": Self.secret]), as: UTF8.self)
        ).utf8)) as? [String: String] ?? [:]
        try #require(forged.count == 5)

        let cases: [(String, String, String)] = [
            ("fresh", fresh.token, "ok \(fresh.email)"), ("replayed", fresh.token, "no"),
            ("changed claim", forged["changed_claim"]!, "no"), ("wrong key", otherKey.token, "no"),
            ("alg none", forged["alg_none"]!, "no"), ("alg none, signature kept", forged["alg_none_signed"]!, "no"),
            ("alg HS512", forged["alg_hs512"]!, "no"), ("expired", expired, "no"),
            ("non-ASCII signature", forged["non_ascii_signature"]!, "no"),
        ]
        let seen = fresh.site.directory.appendingPathComponent("seen-\(checker.rawValue)")
        try FileManager.default.createDirectory(at: seen, withIntermediateDirectories: true)
        let output = try Tool.run(checker.command, environment: [
            "TOKEN_SECRET": Self.secret, "SEEN_DIR": seen.path, "TOKEN_ISSUER": "otp-cgi", "TOKEN_AUDIENCE": Self.audience,
        ], input: cases.map { $0.1 + "\n" }.joined())
        let verdicts = output.split(separator: "\n").map(String.init)
        try #require(verdicts.count == cases.count, "\(checker): \(output)")
        for ((name, _, expected), verdict) in zip(cases, verdicts) {
            #expect(verdict == expected, "\(checker) on the \(name) token")
        }
    }

    /// The same token with the audience left unchecked is refused too: a token for another site is not for this one.
    @Test(arguments: Checker.allCases)
    func aTokenForAnAudienceIsRefusedBySiteThatExpectsNone(checker: Checker) throws {
        let token = try Self.issue(["OTP_TOKEN_SECRET": Self.secret, "OTP_TOKEN_AUDIENCE": Self.audience])
        let plain = try Self.issue(["OTP_TOKEN_SECRET": Self.secret])
        let seen = token.site.directory.appendingPathComponent("seen")
        try FileManager.default.createDirectory(at: seen, withIntermediateDirectories: true)
        let output = try Tool.run(checker.command, environment: ["TOKEN_SECRET": Self.secret, "SEEN_DIR": seen.path, "TOKEN_ISSUER": "otp-cgi"],
                                  input: token.token + "\n" + plain.token + "\n")
        #expect(output == "no\nok \(plain.email)\n", "\(checker)")
    }

    /// A site that passes its cookie's value as `state` accepts only a token issued with that state, so
    /// a token obtained in another browser (login CSRF) is refused.
    @Test(arguments: Checker.allCases)
    func aSiteThatPassesItsStateAcceptsOnlyATokenBoundToIt(checker: Checker) throws {
        let settings = ["OTP_TOKEN_SECRET": Self.secret]
        let bound = try Self.issue(settings, state: "cookie-1234"), other = try Self.issue(settings, state: "cookie-9999")
        let unbound = try Self.issue(settings), ignored = try Self.issue(settings, state: "cookie-1234")
        let seen = bound.site.directory.appendingPathComponent("seen")
        try FileManager.default.createDirectory(at: seen, withIntermediateDirectories: true)
        let output = try Tool.run(checker.command, environment: ["TOKEN_SECRET": Self.secret, "SEEN_DIR": seen.path, "TOKEN_ISSUER": "otp-cgi",
                                                                 "TOKEN_STATE": "cookie-1234"],
                                  input: [other.token, unbound.token, bound.token].map { $0 + "\n" }.joined())
        #expect(output == "no\nno\nok \(bound.email)\n", "\(checker)")
        // Without a state to compare, a site accepts a token whatever its state.
        let plain = try Tool.run(checker.command, environment: ["TOKEN_SECRET": Self.secret, "SEEN_DIR": seen.path, "TOKEN_ISSUER": "otp-cgi"],
                                 input: ignored.token + "\n")
        #expect(plain == "ok \(ignored.email)\n", "\(checker)")
    }

    /// Each snippet is in the docs word for word, so what the tests run is what a reader copies.
    @Test func theDocsShowTheTestedSnippetsVerbatim() throws {
        for (file, language) in [("check-token.php", "php"), ("check_token.py", "python"), ("check-token.js", "js")] {
            let text = try String(contentsOf: Project.root.appendingPathComponent("examples/\(file)"), encoding: .utf8)
            #expect(README.text.contains("```\(language)\n\(text)```\n"), "docs/token.md must show examples/\(file) as it is")
        }
    }

    /// A token made by the same code the built verify runs, as if ten seconds ago with a one-second lifetime:
    /// expired whichever way a checker rounds, without waiting for the clock.
    static func expiredToken(_ settings: [String: String]) throws -> String {
        let email = uniqueEmail("expired")
        var token = try TokenSettings(SettingsReader(env: settings))
        token.ttlSeconds = 1
        let now = Int64(Date().timeIntervalSince1970)
        let made = VerificationToken.make(for: try Identifier(channel: .email, raw: email), settings: token, secret: try #require(token.secret),
                                          now: now - 10)
        return made
    }
}

/// A program run to its end with `input` on stdin and `environment` added to ours; a failure carries its stderr.
enum Tool {
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String = "") throws -> String {
        let process = Process(), stdin = Pipe(), output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        (process.standardInput, process.standardOutput, process.standardError) = (stdin, output, errors)
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
