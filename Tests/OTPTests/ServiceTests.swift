// The service's flow in process, with a stepped clock: the order of the limits, withdrawals, and every edge of a
// cooldown, a lifetime and a window, to the second.
import Testing
@testable import OTP

@Suite struct ServiceTests {
    let h = ServiceHarness()

    @Test func aSentCodeVerifiesOnceAndItsExpiryIsTheTTLFromNow() throws {
        #expect(try h.generate("a@example.com") == h.now + 300)
        let code = try #require(h.code(for: "a@example.com"))
        #expect(h.sent.last?.text == "en \(code)" && h.sent.last?.subject == "subject", "the default locale's message")
        try h.verify("a@example.com", code)
        #expect(throws: OTPError.invalidCode) { try h.verify("a@example.com", code) }
    }

    @Test func aWrongCodeAndAnUnknownIdentifierGetTheSameAnswer() throws {
        try h.generate("a@example.com")
        #expect(throws: OTPError.invalidCode) { try h.verify("a@example.com", "000000") }
        #expect(throws: OTPError.invalidCode) { try h.verify("nobody@example.com", "000000") }
    }

    @Test func aCodeLivesExactlyItsTTL() throws {
        try h.generate("a@example.com")
        h.now += 299
        try h.verify("a@example.com", try #require(h.code(for: "a@example.com")))
        try h.generate("b@example.com")
        h.now += 300
        #expect(throws: OTPError.invalidCode) { try h.verify("b@example.com", try #require(h.code(for: "b@example.com"))) }
    }

    @Test func theCooldownEndsExactlyOnTime() throws {
        try h.generate("a@example.com")
        h.now += 29
        #expect(throws: OTPError.coolingDown(retryAfter: 1)) { try h.generate("a@example.com") }
        h.now += 1
        try h.generate("a@example.com")
        #expect(h.sent.count == 2)
    }

    @Test func spentAttemptsRefuseEvenTheRightCode() throws {
        try h.generate("a@example.com")
        for _ in 0..<5 { #expect(throws: OTPError.invalidCode) { try h.verify("a@example.com", "000000") } }
        #expect(throws: OTPError.tooManyAttempts) { try h.verify("a@example.com", try #require(h.code(for: "a@example.com"))) }
    }

    /// Sends per window: refused with the time left until the window ends, and allowed again at that second.
    @Test func sendsPerWindowAreRefusedUntilTheWindowsLastSecond() throws {
        h.settings.resendCooldownSeconds = 0
        h.settings.abuse.maxSendsPerWindow = 2
        h.settings.abuse.sendWindowSeconds = 100
        try h.generate("a@example.com")
        h.now += 1
        try h.generate("a@example.com")
        h.now += 1
        #expect(throws: OTPError.limited(.sends, retryAfter: 98)) { try h.generate("a@example.com") }
        h.now += 97
        #expect(throws: OTPError.limited(.sends, retryAfter: 1)) { try h.generate("a@example.com") }
        h.now += 1
        try h.generate("a@example.com")
        #expect(h.sent.count == 3)
    }

    @Test func wrongCodesPerWindowRefuseEvenTheRightCodeUntilTheWindowEnds() throws {
        h.settings.maxAttempts = 10
        h.settings.abuse.maxFailedVerifiesPerWindow = 2
        h.settings.abuse.sendWindowSeconds = 100
        h.settings.ttlSeconds = 1000
        try h.generate("a@example.com")
        let code = try #require(h.code(for: "a@example.com"))
        for _ in 0..<2 { #expect(throws: OTPError.invalidCode) { try h.verify("a@example.com", "000000") } }
        #expect(throws: OTPError.limited(.failures, retryAfter: 100)) { try h.verify("a@example.com", code) }
        h.now += 100
        try h.verify("a@example.com", code)
    }

    /// The identifier's record decides first: a request refused by the cooldown costs the client's budget nothing.
    @Test func aCooldownRefusalCostsTheClientNothing() throws {
        h.settings.abuse.ipMaxSendsPerWindow = 2
        try h.generate("a@example.com")
        #expect(throws: OTPError.coolingDown(retryAfter: 30)) { try h.generate("a@example.com") }
        try h.generate("b@example.com")
        #expect(throws: OTPError.limited(.client, retryAfter: 3600)) { try h.generate("c@example.com") }
        #expect(h.sent.map(\.recipient.value) == ["a@example.com", "b@example.com"])
    }

    /// A client-limit refusal withdraws the code it had just stored: no cooldown starts and no send is counted.
    @Test func aClientLimitRefusalWithdrawsTheCodeItStored() throws {
        h.settings.abuse.ipMaxSendsPerWindow = 1
        try h.generate("a@example.com")
        #expect(throws: OTPError.limited(.client, retryAfter: 3600)) { try h.generate("b@example.com") }
        #expect(try h.record(for: "b@example.com") == nil)
        try h.generate("b@example.com", from: "198.51.100.7")
        #expect(try h.record(for: "b@example.com")?.sends == 1)
    }

    @Test func aFailedDeliveryWithdrawsTheCodeAndStartsNoCooldown() throws {
        h.deliveryFault = DeliveryFault("relay said 451")
        #expect(throws: OTPError.deliveryFailed(.email)) { try h.generate("a@example.com") }
        #expect(h.lines == ["delivery by email to a***@example.com failed: relay said 451"])
        #expect(try h.record(for: "a@example.com") == nil)
        h.deliveryFault = nil
        try h.generate("a@example.com")
    }

    @Test func aFailedResendPutsThePreviousCodeBack() throws {
        try h.generate("a@example.com")
        let first = try #require(h.code(for: "a@example.com"))
        h.now += 30
        h.deliveryFault = DeliveryFault("relay down")
        #expect(throws: OTPError.deliveryFailed(.email)) { try h.generate("a@example.com") }
        try h.verify("a@example.com", first)
    }

    @Test func aRefusedRecipientIsTheAskersToFixAndLeavesNoCode() throws {
        h.deliveryFault = DeliveryFault(refused: "The phone number is not valid")
        #expect(throws: OTPError.recipientRefused("The phone number is not valid")) { try h.generate("a@example.com") }
        #expect(try h.record(for: "a@example.com") == nil)
    }

    @Test func anUnconfiguredProviderIsRefusedBeforeAnythingIsStored() throws {
        h.unconfigured = true
        #expect(throws: OTPError.providerNotConfigured(.email)) { try h.generate("a@example.com") }
        #expect(h.store.records.isEmpty)
    }

    @Test func storeFaultsAreLoggedAndAnsweredWithoutTheirDetail() throws {
        h.store.fault = StoreFault("open shard 3f: Input/output error")
        #expect(throws: OTPError.storeFailed) { try h.generate("a@example.com") }
        h.store.fault = StoreFault("lock of shard 3f not had within 2000 ms", busy: true)
        #expect(throws: OTPError.storeBusy) { try h.verify("a@example.com", "123456") }
        #expect(h.lines == ["store: open shard 3f: Input/output error", "store: lock of shard 3f not had within 2000 ms"])
        h.store.fault = StoreFault(misconfigured: "OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700")
        #expect(throws: OTPError.misconfigured("OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700")) {
            try h.generate("a@example.com")
        }
        #expect(h.lines.count == 2)
    }

    @Test func theMessageIsInTheLocaleGivenAndCarriesTheCode() throws {
        try h.generate("a@example.com", locale: LanguageTag("fr-CA"))
        let code = try #require(h.code(for: "a@example.com"))
        #expect(h.sent.last?.text == "fr-CA \(code)")
        // The composer chooses; the service hands it the number of a phone, never an email address.
        #expect(h.service.locale(requested: nil, for: try Identifier(channel: .sms, raw: "+33612345678")).description == "fr")
        #expect(h.service.locale(requested: nil, for: try Identifier(channel: .email, raw: "b@33.example")).description == "en")
    }

    /// Found when the message is composed: a 500 naming the template, and the code withdrawn like a failed delivery.
    @Test func aBrokenTemplateIsAMisconfigurationThatLeavesNoCode() throws {
        h.templateFault = TemplateFault("OTP_SMS_TEMPLATE must contain {code}")
        #expect(throws: OTPError.misconfigured("OTP_SMS_TEMPLATE must contain {code}")) { try h.generate("a@example.com") }
        #expect(try h.sent.isEmpty && h.record(for: "a@example.com") == nil)
        h.templateFault = nil
        try h.generate("a@example.com")
        #expect(h.sent.count == 1, "no cooldown was left behind")
    }
}
