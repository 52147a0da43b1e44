// The per-client limit through a real Apache: REMOTE_ADDR comes from the connection, and 100 concurrent give 30.
import Foundation
import Testing

@Suite(.localApache(["OTP_IP_MAX_SENDS_PER_WINDOW": "30", "OTP_LOCK_TIMEOUT_MS": "30000"])) struct ApacheAbuseTests {
    /// 25 in flight at a time: URLSession with 100 at once can leave a connection idle until Apache's 408.
    @Test func aHundredConcurrentGeneratesFromOneAddressGiveExactlyThirtySends() async throws {
        let apache = try LocalApache.running
        let emails = (0..<100).map { _ in uniqueEmail("ip") }
        let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
            var answers: [HTTPAnswer] = []
            for (index, email) in emails.enumerated() {
                if index >= 25, let answer = try await group.next() { answers.append(answer) }
                group.addTask { try await apache.post("generate", ["channel": "email", "identifier": email]) }
            }
            for try await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 100)
        #expect(answers.filter { $0.status == 200 }.count == 30)
        let refused = answers.filter { $0.status == 429 }
        #expect(refused.count == 70, "\(answers.filter { ![200, 429].contains($0.status) }.map { "\($0.status) \($0.body)" })")
        #expect(refused.allSatisfy { $0.headers["retry-after"] != nil && $0.detail?.hasPrefix("Too many codes requested from your network") == true })
        #expect(try emails.reduce(0) { $0 + (try apache.outbox.messages(to: $1).count) } == 30)
    }
}
