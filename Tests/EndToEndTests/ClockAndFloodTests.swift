// Wall-clock steps and floods of unique identifiers: codes die on time, and the store shrinks back on its own.
import Foundation
import Testing
import TestSupport
@testable import App
@testable import Delivery
@testable import OTP

@Suite struct ClockAndFloodTests {
    private func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Issues a code as a process whose wall clock reads `skew` seconds off would, into the site's store.
    private func issue(_ site: Site, _ email: String, skew: Int64) throws -> String {
        let settings = try Settings(environment: site.settings)
        let service = OTPService(settings: settings.service, store: Wire.fileStore(settings.store, log: { _ in }),
                                 senders: { (channel: Channel) throws(OTPError) in
                                     try Senders.sender(for: channel, settings: settings.delivery, log: { _ in })
                                 },
                                 messages: Wire.messages(settings), log: { _ in }, now: { unixNow() + skew })
        _ = try service.generate(for: try Identifier(channel: .email, raw: email))
        return try #require(try site.codes(for: email).last)
    }

    /// Codes were issued while the clock ran ahead (2 s, 60 s); then it was stepped back. Expiry is absolute wall time,
    /// so a code lives at most its TTL plus the step, and the cooldown at most its length plus the step.
    @Test func afterABackwardStepNoCodeOutlivesItsTTLPlusTheStep() throws {
        let site = try Site(["OTP_TTL_SECONDS": "1", "OTP_RESEND_COOLDOWN_SECONDS": "1"])
        // The early code's step is a minute, so that checking it in time does not depend on the machine's speed.
        let before = unixNow()
        let early = try issue(site, "early@example.com", skew: 60), late = try issue(site, "late@example.com", skew: 2)
        let issued = unixNow()
        #expect(try site.run("verify", json: ["channel": "email", "identifier": "early@example.com", "code": early]).status == 200)
        let resend = try site.run("generate", json: ["channel": "email", "identifier": "late@example.com"])
        if resend.status == 429 {
            #expect((1...3).contains(Int(resend.headers["retry-after"] ?? "") ?? 0))
        } else {
            #expect(resend.status == 200 && unixNow() >= before + 3, "a resend within the cooldown plus the step")
        }
        while unixNow() < issued + 1 + 2 { usleep(200_000) }
        #expect(try site.run("verify", json: ["channel": "email", "identifier": "late@example.com", "code": late]).status == 400)
    }

    /// A forward step only shortens lives: a code issued 301 s "ago" with a TTL of 300 is dead at once.
    @Test(arguments: [(skew: Int64(-301), status: 400), (skew: Int64(-100), status: 200), (skew: Int64(0), status: 200)])
    func afterAForwardStepACodeDiesNoLaterThanItsTTL(skew: Int64, status: Int) throws {
        let site = try Site(["OTP_TTL_SECONDS": "300"])
        let code = try issue(site, "step@example.com", skew: skew)
        #expect(try site.run("verify", json: ["channel": "email", "identifier": "step@example.com", "code": code]).status == status)
    }

    /// 200 unique identifiers crowd one shard and die a second after their send; ordinary later requests'
    /// sweeps remove them all, with no operator and no cron job. No timing is assumed: the test waits for the
    /// wall clock to pass the last expiry, however long the flood took.
    @Test func aFloodOfUniqueIdentifiersShrinksBackAfterItsTTL() throws {
        // 50 processes at once on one shard's lock, on a shared machine: the longest lock wait, so none gives up.
        let site = try Site.withKnownKey(["OTP_TTL_SECONDS": "1", "OTP_RESEND_COOLDOWN_SECONDS": "1", "OTP_SEND_WINDOW_SECONDS": "1",
                                          "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_LOCK_TIMEOUT_MS": "30000"])
        let emails = try site.emailsInOneShard(201, tag: "flood")
        let shard = try site.shard(of: emails[0]), probe = emails[200]
        var lastExpiry = 0
        for batch in stride(from: 0, to: 200, by: 50) {
            let bodies = try emails[batch..<batch + 50].map { Array(try JSONSerialization.data(withJSONObject: ["channel": "email", "identifier": $0])) }
            let answers = try site.runAll("generate", bodies)
            #expect(answers.allSatisfy { $0.status == 200 })
            lastExpiry = max(lastExpiry, answers.compactMap { $0.json["expires_at"] as? Int }.max() ?? 0)
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: site.outbox.path)) ?? []).count == 200)
        while unixNow() <= Int64(lastExpiry) + 1 { usleep(200_000) }
        var requests = 0
        while site.entries(ofShard: shard).count > 1 && requests < 1500 {
            _ = try site.run("generate", json: ["channel": "email", "identifier": probe])
            requests += 1
        }
        #expect(site.entries(ofShard: shard).count <= 1, "\(site.entries(ofShard: shard).count) left after \(requests) requests")
    }
}
