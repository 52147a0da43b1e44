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
        h.settings.abuse.maxFailedVerifiesPerNetwork = 0
        try h.generate("a@example.com")
        for _ in 0..<5 { #expect(throws: OTPError.invalidCode) { try h.verify("a@example.com", "000000") } }
        #expect(throws: OTPError.tooManyAttempts) { try h.verify("a@example.com", try #require(h.code(for: "a@example.com"))) }
    }

    /// Sends per window: refused with the wait until the oldest counted send leaves the window (it counts through
    /// second t + window), and allowed again at that second.
    @Test func sendsPerWindowAreRefusedUntilTheWindowsLastSecond() throws {
        h.settings.resendCooldownSeconds = 0
        h.settings.abuse.maxSendsPerWindow = 2
        h.settings.abuse.sendWindowSeconds = 100
        try h.generate("a@example.com")
        h.now += 1
        try h.generate("a@example.com")
        h.now += 1
        #expect(throws: OTPError.limited(.sends, retryAfter: 99)) { try h.generate("a@example.com") }
        h.now += 98
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
        #expect(throws: OTPError.limited(.failures, retryAfter: 101)) { try h.verify("a@example.com", code) }
        h.now += 100
        #expect(throws: OTPError.limited(.failures, retryAfter: 1)) { try h.verify("a@example.com", code) }
        h.now += 1
        try h.verify("a@example.com", code)
    }

    /// The identifier's record decides first: a request refused by the cooldown costs the client's budget nothing.
    @Test func aCooldownRefusalCostsTheClientNothing() throws {
        h.settings.abuse.ipMaxSendsPerWindow = 2
        try h.generate("a@example.com")
        #expect(throws: OTPError.coolingDown(retryAfter: 30)) { try h.generate("a@example.com") }
        try h.generate("b@example.com")
        #expect(throws: OTPError.limited(.clientSends, retryAfter: 3601)) { try h.generate("c@example.com") }
        #expect(h.sent.map(\.recipient.value) == ["a@example.com", "b@example.com"])
    }

    /// A client-limit refusal withdraws the code it had just stored: no cooldown starts and no send is counted.
    @Test func aClientLimitRefusalWithdrawsTheCodeItStored() throws {
        h.settings.abuse.ipMaxSendsPerWindow = 1
        try h.generate("a@example.com")
        #expect(throws: OTPError.limited(.clientSends, retryAfter: 3601)) { try h.generate("b@example.com") }
        #expect(try h.record(for: "b@example.com") == nil && h.log(.sends, of: "b@example.com") == [])
        try h.generate("b@example.com", from: "198.51.100.7")
        #expect(try h.record(for: "b@example.com") != nil && h.log(.sends, of: "b@example.com") == [h.now])
    }

    @Test func aFailedDeliveryWithdrawsTheCodeAndStartsNoCooldown() throws {
        h.deliveryFault = DeliveryFault("relay said 451")
        #expect(throws: OTPError.deliveryFailed(.email)) { try h.generate("a@example.com") }
        #expect(h.lines == ["delivery by email to a***@example.com failed: relay said 451"])
        #expect(try h.record(for: "a@example.com") == nil && h.log(.sends, of: "a@example.com") == [])
        #expect(h.log(.clientSends, of: "192.0.2.1") == [h.now])
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
        #expect(throws: OTPError.providerNotConfigured(.email, missing: ["X"])) { try h.generate("a@example.com") }
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

    /// With a budget per channel, WhatsApp would keep taking guesses after SMS to the same number answered 429.
    /// Wrong codes count per number, on every channel.
    @Test func wrongCodesCountPerNumberAcrossSMSAndWhatsApp() throws {
        h.settings.abuse.maxFailedVerifiesPerWindow = 2
        let sms = try Identifier(channel: .sms, raw: "+14155552671"), whatsapp = try Identifier(channel: .whatsapp, raw: "+14155552671")
        _ = try h.service.generate(for: sms)
        _ = try h.service.generate(for: whatsapp)
        let code = try #require(h.sent.last?.code)
        for _ in 0..<2 { #expect(throws: OTPError.invalidCode) { try h.service.verify(sms, code: "000000") } }
        #expect(throws: OTPError.limited(.failures, retryAfter: 3601)) { try h.service.verify(whatsapp, code: code) }
    }

    /// `victim+1@`, `victim+2@` and `v.ictim@gmail.com` are one inbox and share its send budget, while each code
    /// still belongs to the exact address it was sent to.
    @Test func aliasesOfOneInboxShareItsSendBudget() throws {
        h.settings.abuse.maxSendsPerWindow = 3
        h.settings.abuse.maxSendsPerNetwork = 0
        for address in ["victim+1@gmail.com", "victim+2@gmail.com", "v.ictim@googlemail.com"] { try h.generate(address) }
        #expect(throws: OTPError.limited(.sends, retryAfter: 3601)) { try h.generate("V.I.C.T.I.M+3@GMAIL.com") }
        #expect(h.log(.sends, of: "victim@gmail.com") == [h.now, h.now, h.now])
        #expect(throws: OTPError.invalidCode) { try h.verify("victim+2@gmail.com", try #require(h.code(for: "victim+1@gmail.com"))) }
        try h.verify("victim+1@gmail.com", try #require(h.code(for: "victim+1@gmail.com")))
    }

    /// An unknown identifier counts exactly like a wrong code, for the mailbox and for the client: otherwise the
    /// limits' 429s would tell who has a code.
    @Test func anUnknownIdentifierCountsLikeAWrongCode() throws {
        h.settings.abuse.maxFailedVerifiesPerWindow = 1
        h.settings.abuse.ipMaxFailedVerifiesPerWindow = 3
        try h.generate("known@example.com")
        #expect(throws: OTPError.invalidCode) { try h.verify("known@example.com", "000000") }
        #expect(throws: OTPError.invalidCode) { try h.verify("unknown@example.com", "000000") }
        #expect(throws: OTPError.limited(.failures, retryAfter: 3601)) { try h.verify("known@example.com", "000000") }
        #expect(throws: OTPError.limited(.failures, retryAfter: 3601)) { try h.verify("unknown@example.com", "000000") }
        #expect(h.log(.clientFailures, of: "192.0.2.1") == [h.now, h.now])
    }

    /// One address spreading guesses over many identifiers meets the per-client cap; another address does not.
    @Test func failedVerifiesAreCappedPerClientAcrossIdentifiers() throws {
        h.settings.abuse.ipMaxFailedVerifiesPerWindow = 3
        for i in 0..<3 { #expect(throws: OTPError.invalidCode) { try h.verify("v\(i)@example.com", "000000") } }
        #expect(throws: OTPError.limited(.clientFailures, retryAfter: 3601)) { try h.verify("v3@example.com", "000000") }
        // The refused guess counted nowhere: not against v3's mailbox.
        #expect(h.log(.failures, of: "v3@example.com") == [])
        #expect(throws: OTPError.invalidCode) { try h.verify("v3@example.com", "000000", from: "198.51.100.7") }
    }

    /// N4: from one address, 20 wrong codes for aliases of alice@gmail.com that never had a code made Alice's own
    /// right code 429 for an hour. One network (an IPv4 /24 here) spends only its share of her budget; the rest
    /// of the /24 with it. Ten networks together still spend no more than the budget the README promises.
    @Test func oneNetworkCannotLockAMailboxOutOfItsVerifies() throws {
        try h.generate("alice@gmail.com", from: "198.51.100.20")
        let aliases = (0..<20).map { "a.lice+x\($0)@googlemail.com" }
        var refused = 0
        for alias in aliases {
            do throws(OTPError) { try h.verify(alias, "000000", from: "203.0.113.\(refused % 200 + 1)") } catch {
                if case .limited(.networkFailures, _) = error { refused += 1 } else { #expect(error == .invalidCode) }
            }
        }
        #expect(refused == 18, "a /24 spends 2 of the mailbox's 20")
        #expect(h.log(.failures, of: "alice@gmail.com").count == 2)
        try h.verify("alice@gmail.com", try #require(h.code(for: "alice@gmail.com")), from: "198.51.100.20")
        // Ten networks spend the whole budget, and no eleventh guess is counted: the guess budget holds.
        try h.generate("bob@example.org", from: "198.51.100.20")
        for network in 0..<11 {
            for _ in 0..<2 {
                do throws(OTPError) { try h.verify("bob+\(network)@example.org", "000000", from: "10.\(network).0.1") } catch {
                    #expect(error == .invalidCode || error == .limited(.failures, retryAfter: 3601))
                }
            }
        }
        #expect(h.log(.failures, of: "bob@example.org").count == 20)
        #expect(throws: OTPError.limited(.failures, retryAfter: 3601)) {
            try h.verify("bob@example.org", try #require(h.code(for: "bob@example.org")), from: "198.51.100.20")
        }
    }

    /// N4 for sends: five generates to bob+0..4@ from one address used up Bob's sends for an hour. A network
    /// spends only its share; others still reach him.
    @Test func oneNetworkCannotUseUpAMailboxsSends() throws {
        h.settings.resendCooldownSeconds = 0
        var statuses: [String] = []
        for i in 0..<5 {
            do throws(OTPError) { try h.generate("bob+\(i)@example.org", from: "2001:db8:1:\(i)::1"); statuses.append("sent") } catch {
                statuses.append(error == .limited(.networkSends, retryAfter: 3601) ? "share" : "\(error)")
            }
        }
        #expect(statuses == ["sent", "sent", "share", "share", "share"], "one /48")
        try h.generate("bob@example.org", from: "192.0.2.1")
        #expect(h.log(.sends, of: "bob@example.org").count == 3)
    }

    /// A right code gives back what it had counted: a person's own successes never use up a failure budget.
    @Test func aRightCodeCountsAsNoFailure() throws {
        h.settings.abuse.maxFailedVerifiesPerWindow = 1
        h.settings.abuse.ipMaxFailedVerifiesPerWindow = 1
        try h.generate("a@example.com")
        try h.verify("a@example.com", try #require(h.code(for: "a@example.com")))
        #expect(h.log(.failures, of: "a@example.com") == [] && h.log(.clientFailures, of: "192.0.2.1") == [])
        #expect(throws: OTPError.invalidCode) { try h.verify("a@example.com", "000000") }
    }

    /// An IPv6 client counts per /64, and its /56 and /48 with 4 and 16 times the budget: a free /48 does not
    /// hold 65,536 fresh budgets.
    @Test func anIPv6SlashFortyEightGetsSixteenTimesTheBudget() throws {
        h.settings.abuse.ipMaxSendsPerWindow = 1
        // Sixteen /64s, each in a /56 of its own, all in 2001:db8:1::/48.
        for i in 0..<16 { try h.generate("u\(i)@example.com", from: "2001:db8:1:\(String(i, radix: 16))00::1") }
        #expect(throws: OTPError.limited(.clientSends, retryAfter: 3601)) { try h.generate("u16@example.com", from: "2001:db8:1:1000::1") }
        #expect(throws: OTPError.limited(.clientSends, retryAfter: 3601)) { try h.generate("u17@example.com", from: "2001:db8:1::2") }
        try h.generate("u18@example.com", from: "2001:db8:2::1")
        // Four /64s of one /56 fill it.
        h.settings.abuse.ipMaxSendsPerWindow = 1
        for i in 1...4 { try h.generate("w\(i)@example.com", from: "2001:db8:3:\(i)::1") }
        #expect(throws: OTPError.limited(.clientSends, retryAfter: 3601)) { try h.generate("w5@example.com", from: "2001:db8:3:5::1") }
    }
}
