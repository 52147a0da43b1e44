// The contract's rows through the built executables with OTP_STORE_URL pointing at a real Redis, over TCP and a Unix socket.
import Foundation
import Testing
import TestSupport
@testable import Stores

/// The rows are the file store's own tests, run again with every Site on Redis (each Site gets its own key
/// prefix, as two sites sharing one Redis would). The rows that look into the store directory have Redis
/// versions below.
@Suite struct RedisContractTests {
    static let rows = ["generateSendsACodeThatVerifiesOnce", "everyAnswerIsUncachedJSON", "formBodiesWorkLikeJSON",
                       "aResendWithinTheCooldownIs429WithRetryAfter", "aResendAfterTheCooldownReplacesTheCode",
                       "afterMaxAttemptsEvenTheRightCodeIsRefused", "aCodeIsBoundToItsChannelAndIdentifier",
                       "unknownIdentifiersAndWrongCodesGetTheSameAnswer", "aMalformedCodeIsAnInvalidCode", "aFailedDeliveryIs500AndLeavesNoCodeAndNoCooldown",
                       "theLogMasksTheIdentifierAndNeverHoldsTheCode", "theKeySettingSealsTheCodes", "generateRefusesBadInput",
                       "thirtyVerifiesOfOneRightCodeGiveExactlyOne200", "thirtyGeneratesForOneIdentifierGiveOne200And29Cooldowns",
                       "thirtyWrongGuessesNeverCountMoreThanMaxAttempts", "manyIdentifiersAtOnceAllSucceed",
                       "aHundredParallelGeneratesFromOneAddressGiveExactlyThirtySends", "anIPv6ClientIsCountedPerSlash64",
                       "sendsPerIdentifierStopAtTheWindowsLimitDespiteNoCooldown", "wrongCodesAcrossResendsStopAtTheWindowsLimit",
                       "zeroDisablesEachLimit", "aCooldownRefusalCostsTheClientNothing", "failedDeliveriesDoNotCountAsSends",
                       "thirtyParallelSendsToOneIdentifierWithoutCooldownGiveExactlyTheWindowsFive",
                       "thirtyParallelWrongCodesCountExactlyTheWindowsFour"]

    /// The longest timeouts allowed, so that a loaded machine cannot turn a slow reply into a 503; the tests
    /// of the timeouts set their own.
    static func patient(_ url: String) -> [String: String] {
        ["OTP_STORE_URL": url, "OTP_REDIS_CONNECT_TIMEOUT_MS": "60000", "OTP_REDIS_READ_TIMEOUT_MS": "60000"]
    }

    static func run(_ row: String) throws {
        let contract = CGIContractTests(), races = CGIConcurrencyTests(), limits = AbuseLimitTests()
        switch row {
        case "generateSendsACodeThatVerifiesOnce": try contract.generateSendsACodeThatVerifiesOnce()
        case "everyAnswerIsUncachedJSON": try contract.everyAnswerIsUncachedJSON()
        case "formBodiesWorkLikeJSON": try contract.formBodiesWorkLikeJSON()
        case "aResendWithinTheCooldownIs429WithRetryAfter": try contract.aResendWithinTheCooldownIs429WithRetryAfter()
        case "aResendAfterTheCooldownReplacesTheCode": try contract.aResendAfterTheCooldownReplacesTheCode()
        case "afterMaxAttemptsEvenTheRightCodeIsRefused": try contract.afterMaxAttemptsEvenTheRightCodeIsRefused()
        case "aCodeIsBoundToItsChannelAndIdentifier": try contract.aCodeIsBoundToItsChannelAndIdentifier()
        case "unknownIdentifiersAndWrongCodesGetTheSameAnswer": try contract.unknownIdentifiersAndWrongCodesGetTheSameAnswer()
        case "aMalformedCodeIsAnInvalidCode": for code in ["12345", "abcdef", ""] { try contract.aMalformedCodeIsAnInvalidCode(code: code) }
        case "aFailedDeliveryIs500AndLeavesNoCodeAndNoCooldown": try contract.aFailedDeliveryIs500AndLeavesNoCodeAndNoCooldown()
        case "theLogMasksTheIdentifierAndNeverHoldsTheCode": try contract.theLogMasksTheIdentifierAndNeverHoldsTheCode()
        case "theKeySettingSealsTheCodes": try contract.theKeySettingSealsTheCodes()
        case "generateRefusesBadInput":
            try contract.generateRefusesBadInput(body: #"{"channel": "email", "identifier": "joe"}"#, detail: "Invalid email address")
        case "thirtyVerifiesOfOneRightCodeGiveExactlyOne200": try races.thirtyVerifiesOfOneRightCodeGiveExactlyOne200()
        case "thirtyGeneratesForOneIdentifierGiveOne200And29Cooldowns": try races.thirtyGeneratesForOneIdentifierGiveOne200And29Cooldowns()
        case "thirtyWrongGuessesNeverCountMoreThanMaxAttempts": try races.thirtyWrongGuessesNeverCountMoreThanMaxAttempts()
        case "manyIdentifiersAtOnceAllSucceed": try races.manyIdentifiersAtOnceAllSucceed()
        case "aHundredParallelGeneratesFromOneAddressGiveExactlyThirtySends": try limits.aHundredParallelGeneratesFromOneAddressGiveExactlyThirtySends()
        case "anIPv6ClientIsCountedPerSlash64": try limits.anIPv6ClientIsCountedPerSlash64()
        case "sendsPerIdentifierStopAtTheWindowsLimitDespiteNoCooldown": try limits.sendsPerIdentifierStopAtTheWindowsLimitDespiteNoCooldown()
        case "wrongCodesAcrossResendsStopAtTheWindowsLimit": try limits.wrongCodesAcrossResendsStopAtTheWindowsLimit()
        case "zeroDisablesEachLimit": try limits.zeroDisablesEachLimit()
        case "aCooldownRefusalCostsTheClientNothing": try limits.aCooldownRefusalCostsTheClientNothing()
        case "failedDeliveriesDoNotCountAsSends": try limits.failedDeliveriesDoNotCountAsSends()
        case "thirtyParallelSendsToOneIdentifierWithoutCooldownGiveExactlyTheWindowsFive":
            try limits.thirtyParallelSendsToOneIdentifierWithoutCooldownGiveExactlyTheWindowsFive()
        case "thirtyParallelWrongCodesCountExactlyTheWindowsFour": try limits.thirtyParallelWrongCodesCountExactlyTheWindowsFour()
        default: throw TestFailure("no contract row named \(row)")
        }
    }

    @Test(arguments: rows) func theRowPassesOnRedisOverTCP(row: String) async throws {
        let redis = try await RedisServer()
        try Site.$storeSettings.withValue(Self.patient(redis.url)) { try Self.run(row) }
        #expect(try redis.command("DBSIZE") != .integer(0) || row == "generateRefusesBadInput" || row == "aMalformedCodeIsAnInvalidCode")
    }

    @Test func theRowsPassOnRedisOverAUnixSocketWithAPassword() async throws {
        let redis = try await RedisServer(password: "p@ss/word:1")
        let url = "unix://\(redis.socketPath)?db=3&password=p%40ss%2Fword%3A1"
        try Site.$storeSettings.withValue(Self.patient(url)) {
            for row in ["generateSendsACodeThatVerifiesOnce", "afterMaxAttemptsEvenTheRightCodeIsRefused", "thirtyVerifiesOfOneRightCodeGiveExactlyOne200"] {
                try Self.run(row)
            }
        }
        #expect(try redis.command("SELECT", "3") == .simple("OK"))
    }

    @Test func redisHoldsNeitherIdentifierNorCode() async throws {
        let redis = try await RedisServer()
        let site = try Site(["OTP_STORE_URL": redis.url, "OTP_IP_MAX_SENDS_PER_WINDOW": "30"])
        let identifiers = [("email", "plaintext.check@example.com"), ("sms", "+14155550123"), ("whatsapp", "+447700900123")]
        for (channel, identifier) in identifiers {
            #expect(try site.run("generate", json: ["channel": channel, "identifier": identifier]).status == 200)
        }
        let code = try #require(try site.codes(for: "plaintext.check@example.com").first)
        #expect(try site.run("verify", json: ["channel": "email", "identifier": "plaintext.check@example.com", "code": "000000"]).status == 400)
        let contents = try redis.dump()
        // Three records; the sends logs of the three mailboxes and of the client (its address and its /24); the
        // failures logs of the mailbox and the client (both). No key: that is the settings'.
        #expect(contents.count == 11, "\(contents.map(\.key))")
        for (key, value) in contents {
            for needle in ["plaintext", "example.com", "4155550123", "7700900123", "127.0.0.1", code] {
                #expect(!key.contains(needle) && !value.contains(needle), "\(key) holds \(needle)")
            }
            guard case .integer(let ttl) = try redis.command("PTTL", key) else { throw TestFailure("PTTL") }
            #expect(ttl > 0, "\(key) has PTTL \(ttl)")
        }
    }

    /// The docs' ACL for a Redis shared between sites: its user reaches its prefix's keys and the commands the
    /// service runs (its scripts' calls included), and every row works under it; another prefix's key does not.
    @Test func theDocumentedPerPrefixACLIsAllTheServiceNeeds() async throws {
        let redis = try await RedisServer()
        let line = try #require(README.text.split(separator: "\n").first { $0.hasPrefix("ACL SETUSER shop ") })
        #expect(try redis.command(line.split(separator: " ").map(String.init)) == .simple("OK"))
        #expect(try redis.command("SET", "other:secret", "x") == .simple("OK"))
        let site = try Site(["OTP_STORE_URL": "redis://shop:the-redis-password@127.0.0.1:\(redis.port)/0", "OTP_REDIS_PREFIX": "shop:"])
        let email = "acl@example.com"
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": "000000"]).status == 400)
        let right = try site.run("verify", json: ["channel": "email", "identifier": email, "code": try #require(try site.codes(for: email).first)])
        #expect(right.status == 200, "\(right.stderr)")
        #expect(try redis.dump().allSatisfy { $0.key.hasPrefix("shop:") || $0.key == "other:secret" })
        let denied = try redis.command("ACL", "DRYRUN", "shop", "GET", "other:secret")
        guard case .bulk(let text?) = denied else { Issue.record("ACL DRYRUN answered \(denied)"); return }
        #expect(String(decoding: text, as: UTF8.self).contains("no permissions to access the 'other:secret' key"))
    }

    @Test func aRequiredButMissingProviderStoresNothingInRedis() async throws {
        let redis = try await RedisServer()
        let site = try Site(["OTP_STORE_URL": redis.url, "OTP_REQUIRE_PROVIDER_CONFIG": "true", "OTP_SECRET_KEY": "a-long-enough-secret-key-for-tests"])
        let answer = try site.run("generate", json: ["channel": "sms", "identifier": "+14155552671"])
        #expect(answer.status == 500 && answer.detail == "sms provider not configured: set SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN, SMS_TWILIO_SENDER (OTP_REQUIRE_PROVIDER_CONFIG is true)")
        #expect(try redis.dump().isEmpty)
    }

    /// Down: refused at once. Stuck: a 503 after the read timeout, not a hang. Back: served, with no restart.
    @Test func aDownOrStuckRedisIs503AndTheServiceRecoversWhenItIsBack() async throws {
        let redis = try await RedisServer()
        let site = try Site(["OTP_STORE_URL": redis.url, "OTP_REDIS_READ_TIMEOUT_MS": "500"])
        let email = "down@example.com"
        redis.stop()
        for program in ["generate", "verify"] {
            let answer = try site.run(program, json: ["channel": "email", "identifier": email, "code": "123456"])
            #expect(answer.status == 503 && answer.detail == "Service temporarily unavailable" && answer.headers["retry-after"] == "1")
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.stderr.contains("redis at 127.0.0.1:\(redis.port): unreachable: connect: Connection refused"), "\(answer.stderr)")
        }
        #expect(try site.codes(for: email).isEmpty)
        try await redis.start()
        redis.pause()
        let began = Date()
        let stuck = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(Date().timeIntervalSince(began) >= 0.499, "the deadline is kept in whole milliseconds, so it may end up to 1 ms early")
        #expect(stuck.status == 503 && stuck.stderr.contains("no reply within 500 ms"), "\(stuck.stderr)")
        redis.resume()
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).last)
        #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": code]).status == 200)
    }

    @Test func aWrongPasswordIs503AndALogLineWithoutThePassword() async throws {
        let redis = try await RedisServer(password: "the-right-one")
        let site = try Site(["OTP_STORE_URL": "redis://:not-the-right-one@127.0.0.1:\(redis.port)"])
        let answer = try site.run("generate", json: ["channel": "email", "identifier": "auth@example.com"])
        #expect(answer.status == 503 && answer.detail == "Service temporarily unavailable")
        #expect(answer.stderr.contains("AUTH refused: WRONGPASS"), "\(answer.stderr)")
        #expect(!answer.stderr.contains("not-the-right-one"))
    }

    @Test func redissIsRefusedWithAPointerToTheAlternatives() throws {
        let site = try Site(["OTP_STORE_URL": "rediss://:secret@redis.example:6380"])
        let answer = try site.run("generate", json: ["channel": "email", "identifier": "tls@example.com"])
        #expect(answer.status == 500 && answer.detail?.hasPrefix("server misconfigured: OTP_STORE_URL: rediss:// (TLS) is not supported") == true)
        #expect(answer.detail?.contains("unix://") == true && answer.detail?.contains("TLS tunnel") == true)
        #expect(!answer.stderr.contains("secret"))
    }
}
