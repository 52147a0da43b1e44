// Wall-clock steps and floods of unique identifiers: codes die on time, and the store shrinks back on its own.
import Foundation
import Testing
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

    /// 200 unique identifiers crowd one shard and die a second after their send; their slots are then free, and a
    /// second flood of 200 others takes them rather than the disk: the shard's table at most doubles (a page that
    /// the new keys fill grows it once), and no file is made per identifier. No timing is assumed: the test waits
    /// for the wall clock to pass the last expiry, however long the flood took.
    @Test func aFloodOfUniqueIdentifiersLeavesFreeSlotsThatTheNextFloodTakes() throws {
        // 50 processes at once on one shard's lock, on a shared machine: the longest lock wait, so none gives up.
        let site = try Site.withKnownKey(["OTP_TTL_SECONDS": "1", "OTP_RESEND_COOLDOWN_SECONDS": "1", "OTP_SEND_WINDOW_SECONDS": "1",
                                          "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_LOCK_TIMEOUT_MS": "30000"])
        let emails = try site.emailsInOneShard(400, tag: "flood")
        let shard = try site.shard(of: emails[0]), table = site.store.path + "/t/" + shard
        func flood(_ batch: ArraySlice<String>) throws -> Int64 {
            var lastExpiry = 0
            for start in stride(from: batch.startIndex, to: batch.endIndex, by: 50) {
                let bodies = try batch[start..<start + 50].map { Array(try JSONSerialization.data(withJSONObject: ["channel": "email", "identifier": $0])) }
                let answers = try site.runAll("generate", bodies)
                #expect(answers.allSatisfy { $0.status == 200 })
                lastExpiry = max(lastExpiry, answers.compactMap { $0.json["expires_at"] as? Int }.max() ?? 0)
            }
            return Int64(lastExpiry)
        }
        func size() throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: table)[.size] as? Int) }
        let firstExpiry = try flood(emails[0..<200])
        let grown = try size()
        while unixNow() <= firstExpiry + 1 { usleep(200_000) }
        #expect(site.liveSlots(ofShard: shard, now: unixNow()) == 0)
        let secondExpiry = try flood(emails[200..<400])
        let after = try size()
        #expect(after <= 2 * grown, "\(after) bytes after the second flood, \(grown) after the first")
        while unixNow() <= secondExpiry + 1 { usleep(200_000) }
        #expect(site.liveSlots(ofShard: shard, now: unixNow()) == 0)
        // The floods' mailboxes' own counters live in slots too: t/ holds a table and a lock a shard, and no more.
        let names = try FileManager.default.contentsOfDirectory(atPath: site.store.path + "/t")
        #expect(names.allSatisfy { $0.utf8.count == 2 || $0.hasSuffix(".lock") }, "\(names)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: site.outbox.path)) ?? []).count == 400)
    }
}
