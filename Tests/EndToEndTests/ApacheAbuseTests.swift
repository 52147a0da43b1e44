// The per-client limit through a real Apache: REMOTE_ADDR comes from the connection, and 100 concurrent give 30.
import Foundation
import Testing
import TestSupport

@Suite(.localApache(["OTP_IP_MAX_SENDS_PER_WINDOW": "30", "OTP_LOCK_TIMEOUT_MS": "30000"])) struct ApacheAbuseTests {
    @Test func aHundredConcurrentGeneratesFromOneAddressGiveExactlyThirtySends() async throws {
        let apache = try LocalApache.running
        let emails = (0..<100).map { _ in uniqueEmail("ip") }
        let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
            for email in emails {
                group.addTask { try await apache.post("generate", ["channel": "email", "identifier": email]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 100)
        #expect(answers.filter { $0.status == 200 }.count == 30)
        let refused = answers.filter { $0.status == 429 }
        #expect(refused.count == 70, "\(answers.filter { ![200, 429].contains($0.status) }.map { "\($0.status) \($0.body)" })")
        #expect(refused.allSatisfy { $0.headers["retry-after"] != nil && $0.detail?.hasPrefix("Too many codes requested from your network") == true })
        #expect(try emails.reduce(0) { $0 + (try apache.outbox.messages(to: $1).count) } == 30)
    }
}
