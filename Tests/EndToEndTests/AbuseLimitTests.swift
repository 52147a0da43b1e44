// The abuse limits through the built executables: client address, sends and wrong codes per window, SMS prefixes.
import Foundation
import Testing
import TestSupport

@Suite struct AbuseLimitTests {
    private func body(_ fields: [String: String]) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: fields)) }
    private func email(_ i: Int) -> String { "user\(i)@example.com" }
    private func sentMessages(_ site: Site) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: site.outbox.path)) ?? []).filter { $0.hasSuffix(".eml") }
    }

    /// The count and its check are one flock'd transition, so a race cannot let a 31st through; and the 70
    /// refused requests leave their identifiers without a cooldown, since their codes were withdrawn.
    @Test func aHundredParallelGeneratesFromOneAddressGiveExactlyThirtySends() throws {
        let site = try Site(["OTP_IP_MAX_SENDS_PER_WINDOW": "30"])
        let answers = try site.runAll("generate", try (0..<100).map { try body(["channel": "email", "identifier": email($0)]) },
                                      extra: ["REMOTE_ADDR": "203.0.113.9"])
        #expect(answers.filter { $0.status == 200 }.count == 30)
        let refused = answers.filter { $0.status == 429 }
        #expect(refused.count == 70)
        // A counted event counts through second t + window (EventLog), so the longest wait is the window plus one.
        #expect(refused.allSatisfy { (1...3601).contains(Int($0.headers["retry-after"] ?? "") ?? 0) })
        #expect(refused.allSatisfy { $0.detail?.hasPrefix("Too many codes requested from your network; try again in") == true })
        #expect(sentMessages(site).count == 30)
        let firstRefused = try #require(answers.firstIndex { $0.status == 429 })
        let elsewhere = try site.run("generate", String(decoding: try body(["channel": "email", "identifier": email(firstRefused)]), as: UTF8.self),
                                     extra: ["REMOTE_ADDR": "203.0.113.10"])
        #expect(elsewhere.status == 200)
    }

    /// The identifier's cooldown is met first, so refusals for it leave the client's budget untouched.
    @Test func aCooldownRefusalCostsTheClientNothing() throws {
        let site = try Site(["OTP_IP_MAX_SENDS_PER_WINDOW": "2"])
        let statuses = try [1, 1, 1, 1, 2, 3].map { i in try site.run("generate", json: ["channel": "email", "identifier": email(i)]).status }
        #expect(statuses == [200, 429, 429, 429, 200, 429])
    }

    /// A send whose delivery failed is withdrawn: it counts against neither the cooldown nor the window.
    @Test func failedDeliveriesDoNotCountAsSends() throws {
        let site = try Site(["OTP_MAX_SENDS_PER_WINDOW": "2", "EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1",
                             "EMAIL_PORT": String(try Loopback.freePort()), "EMAIL_TIMEOUT": "5"])
        let statuses = try (0..<4).map { _ in try site.run("generate", json: ["channel": "email", "identifier": email(1)]).status }
        #expect(statuses == [500, 500, 500, 500])
        site.settings["EMAIL_BACKEND"] = "filebased"
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email(1)]).status == 200)
    }

    @Test func thirtyParallelSendsToOneIdentifierWithoutCooldownGiveExactlyTheWindowsFive() throws {
        let site = try Site(["OTP_MAX_SENDS_PER_WINDOW": "5", "OTP_RESEND_COOLDOWN_SECONDS": "0"])
        let answers = try site.runAll("generate", Array(repeating: try body(["channel": "email", "identifier": email(1)]), count: 30))
        #expect(answers.filter { $0.status == 200 }.count == 5)
        #expect(answers.filter { $0.status == 429 }.count == 25)
        #expect(try site.codes(for: email(1)).count == 5)
    }

    @Test func thirtyParallelWrongCodesCountExactlyTheWindowsFour() throws {
        let site = try Site(["OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "4", "OTP_MAX_ATTEMPTS": "100"])
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email(1)]).status == 200)
        let code = try #require(try site.codes(for: email(1)).first)
        let guesses = (1...30).map { String(format: "%06d", (Int(code)! + $0) % 1_000_000) }
        let answers = try site.runAll("verify", try guesses.map { try body(["channel": "email", "identifier": email(1), "code": $0]) })
        #expect(answers.filter { $0.status == 400 }.count == 4)
        #expect(answers.filter { $0.status == 429 }.count == 26)
    }

    /// N4 through the executables, with the default shares: 20 wrong codes from one address for aliases of
    /// alice@gmail.com that never had a code, and 5 generates to bob+0..4@, no longer lock either out: Alice's
    /// right code and Bob's next code from elsewhere go through.
    @Test func aStrangerOnOneNetworkLocksNobodyOut() throws {
        let site = try Site(["OTP_RESEND_COOLDOWN_SECONDS": "0"])
        for name in Site.noNetworkShares.keys { site.settings[name] = nil }
        let stranger = ["REMOTE_ADDR": "203.0.113.66"], owner = ["REMOTE_ADDR": "198.51.100.20"]
        #expect(try site.run("generate", String(decoding: try body(["channel": "email", "identifier": "alice@gmail.com"]), as: UTF8.self),
                             extra: owner).status == 200)
        let guesses = try (0..<20).map { i in
            try site.run("verify", String(decoding: try body(["channel": "email", "identifier": "a.lice+x\(i)@googlemail.com", "code": "000000"]),
                                          as: UTF8.self), extra: stranger)
        }
        #expect(guesses.prefix(2).allSatisfy { $0.status == 400 })
        #expect(guesses.dropFirst(2).allSatisfy { $0.status == 429 && $0.detail?.hasPrefix("Too many wrong codes for this identifier from your network") == true })
        let code = try #require(try site.codes(for: "alice@gmail.com").last)
        let right = try site.run("verify", String(decoding: try body(["channel": "email", "identifier": "alice@gmail.com", "code": code]), as: UTF8.self),
                                 extra: owner)
        #expect(right.status == 200, "\(right.json)")

        let sends = try (0..<5).map { i in
            try site.run("generate", String(decoding: try body(["channel": "email", "identifier": "bob+\(i)@example.org"]), as: UTF8.self), extra: stranger).status
        }
        #expect(sends == [200, 200, 429, 429, 429])
        #expect(try site.run("generate", String(decoding: try body(["channel": "email", "identifier": "bob@example.org"]), as: UTF8.self),
                             extra: owner).status == 200)
    }

    @Test func anIPv6ClientIsCountedPerSlash64() throws {
        let site = try Site(["OTP_IP_MAX_SENDS_PER_WINDOW": "2"])
        let statuses = try [("2001:db8::1", 0), ("2001:db8::2", 1), ("2001:db8::ffff:3", 2), ("2001:db8:0:1::1", 3), ("::ffff:192.0.2.1", 4),
                            ("192.0.2.1", 5), ("192.0.2.1", 6)].map { address, i in
            try site.run("generate", String(decoding: try body(["channel": "email", "identifier": email(i)]), as: UTF8.self),
                         extra: ["REMOTE_ADDR": address]).status
        }
        #expect(statuses == [200, 200, 429, 200, 200, 200, 429])
    }

    /// X-Forwarded-For names the client only when the peer is a trusted proxy; otherwise anyone could pick
    /// a fresh address per request.
    @Test(arguments: [
        (trusted: "", forwarded: ["198.51.100.1", "198.51.100.2", "198.51.100.3"], statuses: [200, 429, 429]),
        (trusted: "127.0.0.1", forwarded: ["198.51.100.1", "198.51.100.2", "198.51.100.3"], statuses: [200, 200, 200]),
        (trusted: "10.0.0.0/8,127.0.0.1", forwarded: ["198.51.100.1, 10.1.2.3", "198.51.100.1, 10.9.9.9", "203.0.113.5, 10.1.2.3"],
         statuses: [200, 429, 200]),
        (trusted: "127.0.0.1", forwarded: ["198.51.100.1", "203.0.113.99, 198.51.100.1", "garbage"], statuses: [200, 429, 200]),
    ])
    func forwardedForIsBelievedOnlyFromTrustedProxies(trusted: String, forwarded: [String], statuses: [Int]) throws {
        let site = try Site(["OTP_IP_MAX_SENDS_PER_WINDOW": "1", "OTP_TRUSTED_PROXIES": trusted])
        let got = try forwarded.enumerated().map { i, header in
            try site.run("generate", String(decoding: try body(["channel": "email", "identifier": email(i)]), as: UTF8.self),
                         extra: ["REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": header]).status
        }
        #expect(got == statuses)
    }

    @Test func sendsPerIdentifierStopAtTheWindowsLimitDespiteNoCooldown() throws {
        let site = try Site(["OTP_MAX_SENDS_PER_WINDOW": "3", "OTP_RESEND_COOLDOWN_SECONDS": "0"])
        let before = Int(Date().timeIntervalSince1970)
        let answers = try (0..<5).map { _ in try site.run("generate", json: ["channel": "email", "identifier": email(1)]) }
        let after = Int(Date().timeIntervalSince1970)
        #expect(answers.map(\.status) == [200, 200, 200, 429, 429])
        // What is left of the window that the first send opened, however slowly the five ran.
        #expect((before + 3601 - after...3601).contains(Int(answers[3].headers["retry-after"] ?? "") ?? 0))
        #expect(answers[3].detail?.hasPrefix("Too many codes sent to this identifier; try again in") == true)
        #expect(try site.codes(for: email(1)).count == 3)
    }

    /// Five attempts per code would give an attacker five more guesses per resend; the window's count does not reset.
    @Test func wrongCodesAcrossResendsStopAtTheWindowsLimit() throws {
        let site = try Site(["OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "4", "OTP_RESEND_COOLDOWN_SECONDS": "0", "OTP_MAX_ATTEMPTS": "5"])
        var statuses: [Int] = []
        for _ in 0..<3 {
            #expect(try site.run("generate", json: ["channel": "email", "identifier": email(1)]).status == 200)
            let code = try #require(try site.codes(for: email(1)).last)
            let wrong = String(format: "%06d", (Int(code)! + 1) % 1_000_000)
            for _ in 0..<2 { statuses.append(try site.run("verify", json: ["channel": "email", "identifier": email(1), "code": wrong]).status) }
        }
        #expect(statuses == [400, 400, 400, 400, 429, 429])
        let right = try site.run("verify", json: ["channel": "email", "identifier": email(1), "code": try #require(try site.codes(for: email(1)).last)])
        #expect(right.status == 429 && right.headers["retry-after"] != nil)
        #expect(right.detail?.hasPrefix("Too many wrong codes for this identifier; try again in") == true)
    }

    @Test func zeroDisablesEachLimit() throws {
        let site = try Site(["OTP_MAX_SENDS_PER_WINDOW": "0", "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_RESEND_COOLDOWN_SECONDS": "0",
                             "OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "0", "OTP_IP_MAX_FAILED_VERIFIES_PER_WINDOW": "0", "OTP_MAX_ATTEMPTS": "1000"])
        let sends = try (0..<8).map { _ in try site.run("generate", json: ["channel": "email", "identifier": email(1)]).status }
        #expect(sends == Array(repeating: 200, count: 8))
        let guesses = try (0..<25).map { _ in try site.run("verify", json: ["channel": "email", "identifier": email(1), "code": "000000"]).status }
        #expect(guesses.filter { $0 == 400 }.count >= 24)
    }

    /// SMS pumping: a number outside the allowed prefixes costs nothing: no store write, no send.
    @Test(arguments: [("sms", "+4930123456789", 400), ("whatsapp", "+882123456789", 400), ("sms", "+14155552671", 200),
                      ("whatsapp", "+447700900123", 200), ("email", "a@example.com", 200)])
    func onlyAllowedPrefixesGetSMSOrWhatsApp(channel: String, number: String, status: Int) throws {
        let site = try Site(["OTP_SMS_ALLOWED_PREFIXES": "+1,+44"])
        let answer = try site.run("generate", json: ["channel": channel, "identifier": number])
        #expect(answer.status == status)
        if status == 400 {
            #expect(answer.detail == "\(channel == "sms" ? "SMS" : "WhatsApp") is not available for this phone number")
            #expect(site.holdsNothing())
            #expect(!answer.stderr.contains("backend: to"))
        }
    }
}
