// The order phone providers are tried in, what moves on to the next, and what the log says.
import Testing
import TestSupport
@testable import Delivery
import OTP

@Suite struct FailoverSenderTests {
    /// A provider that answers with the next of its scripted outcomes and counts its sends.
    final class Scripted: PhoneProvider {
        let name: String
        var outcomes: [DeliveryFault?]
        private(set) var sends = 0

        init(_ name: String, _ outcomes: [DeliveryFault?]) { (self.name, self.outcomes) = (name, outcomes) }

        func send(_ message: OutgoingMessage) throws(DeliveryFault) {
            sends += 1
            if let fault = outcomes.isEmpty ? nil : outcomes.removeFirst() { throw fault }
        }
    }

    final class Lines { var all: [String] = [] }

    let message = OutgoingMessage(recipient: try! Identifier(channel: .sms, raw: "+14155552671"), code: "123456", subject: nil, text: "Code 123456")

    func failover(_ providers: [Scripted], pauses: MemoryProviderPauses, now: Int64 = 1000, lines: Lines = Lines()) -> FailoverSender {
        FailoverSender(channel: .sms, providers: providers, pauses: pauses, pauseSeconds: 60, now: { now }, log: { lines.all.append($0) })
    }

    @Test func theFirstProviderThatSendsEndsTheRoundAndNoFailureIsRecorded() throws {
        let first = Scripted("twilio", [nil]), second = Scripted("http", [nil]), pauses = MemoryProviderPauses(), lines = Lines()
        try failover([first, second], pauses: pauses, lines: lines).send(message)
        #expect((first.sends, second.sends) == (1, 0))
        #expect(pauses.failures.isEmpty)
        #expect(lines.all.isEmpty)
    }

    @Test func aFailedProviderIsPausedAndTheNextSendsAndTheLogNamesBoth() throws {
        let first = Scripted("twilio", [DeliveryFault("Twilio answered HTTP 503")]), second = Scripted("http", [nil])
        let pauses = MemoryProviderPauses(), lines = Lines()
        try failover([first, second], pauses: pauses, lines: lines).send(message)
        #expect((first.sends, second.sends) == (1, 1))
        #expect(pauses.failures == ["sms/twilio": 1000])
        #expect(lines.all == ["sms: sent by http after twilio failed (Twilio answered HTTP 503)"])
    }

    @Test func aRefusedRecipientIsNotTriedElsewhereNorPaused() {
        let first = Scripted("twilio", [DeliveryFault(refused: "The phone number is not valid")]), second = Scripted("http", [nil])
        let pauses = MemoryProviderPauses()
        #expect(throws: DeliveryFault(refused: "The phone number is not valid")) { try failover([first, second], pauses: pauses).send(message) }
        #expect(second.sends == 0)
        #expect(pauses.failures.isEmpty)
    }

    @Test func aRefusalAfterAFailureIsFinalAndTheLogKeepsTheFailure() {
        let first = Scripted("twilio", [DeliveryFault("curl timed out")]), second = Scripted("http", [DeliveryFault(refused: "No such number")])
        let third = Scripted("command", [nil]), pauses = MemoryProviderPauses(), lines = Lines()
        #expect(throws: DeliveryFault(refused: "No such number")) { try failover([first, second, third], pauses: pauses, lines: lines).send(message) }
        #expect(third.sends == 0)
        #expect(pauses.failures == ["sms/twilio": 1000])
        #expect(lines.all == ["sms: http refused the recipient after twilio failed (curl timed out)"])
    }

    @Test func whenEveryProviderFailsTheFaultNamesEachInOrder() {
        let first = Scripted("twilio", [DeliveryFault("Twilio answered HTTP 401")]), second = Scripted("http", [DeliveryFault("HTTP 503")])
        let pauses = MemoryProviderPauses()
        #expect(throws: DeliveryFault("every sms provider failed: twilio: Twilio answered HTTP 401; http: HTTP 503")) {
            try failover([first, second], pauses: pauses).send(message)
        }
        #expect(pauses.failures == ["sms/twilio": 1000, "sms/http": 1000])
    }

    @Test func aPausedProviderIsTriedAfterTheOthersUntilItsPauseIsOver() throws {
        let pauses = MemoryProviderPauses()
        pauses.recordFailure("sms/twilio", now: 1000)
        let first = Scripted("twilio", [nil, nil]), second = Scripted("http", [nil, nil])
        try failover([first, second], pauses: pauses, now: 1059).send(message)
        #expect((first.sends, second.sends) == (0, 1))
        try failover([first, second], pauses: pauses, now: 1060).send(message)
        #expect((first.sends, second.sends) == (1, 1))
    }

    @Test func aPausedProviderIsStillTriedWhenTheOthersFail() throws {
        let pauses = MemoryProviderPauses()
        pauses.recordFailure("sms/twilio", now: 1000)
        let first = Scripted("twilio", [nil]), second = Scripted("http", [DeliveryFault("HTTP 500")]), lines = Lines()
        try failover([first, second], pauses: pauses, now: 1010, lines: lines).send(message)
        #expect((first.sends, second.sends) == (1, 1))
        #expect(lines.all == ["sms: sent by twilio after http failed (HTTP 500)"])
    }

    @Test func pausesAreKeptPerChannel() {
        let pauses = MemoryProviderPauses()
        pauses.recordFailure("whatsapp/twilio", now: 1000)
        let providers = [Scripted("twilio", []), Scripted("http", [])]
        #expect(failover(providers, pauses: pauses).ordered().map(\.name) == ["twilio", "http"])
    }
}
