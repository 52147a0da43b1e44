// Wall-clock steps and floods of unique identifiers: codes die on time, and a flood's dead slots serve the next.
// What happens after a step runs the service in process on the site's file store with a clock the test sets, so
// no test waits for time to pass.
import Foundation
import Testing
import TestSupport
@testable import App
@testable import Delivery
@testable import OTP

@Suite struct ClockAndFloodTests {
    /// What a process's wall clock reads, set by the test.
    final class SetClock {
        var now: Int64
        init(_ now: Int64) { self.now = now }
    }

    /// The service a request to `site` runs, reading the time from `clock`.
    private func service(_ site: Site, clock: SetClock) throws -> OTPService {
        let settings = try Settings(environment: site.settings)
        let store = Wire.fileStore(settings.store, log: { _ in })
        return OTPService(settings: settings.service, store: store,
                          senders: { (channel: Channel) throws(OTPError) in
                              try Senders.sender(for: channel, settings: settings.delivery,
                                                 pauses: Wire.pauses(settings.store, store: store, log: { _ in }), log: { _ in })
                          },
                          messages: Wire.messages(settings), log: { _ in }, now: { clock.now })
    }

    /// Codes were issued while the clock ran ahead (60 s, then 2 s); then it was stepped back. Expiry is absolute
    /// wall time, so a code lives at most its TTL plus the step, and the cooldown at most its length plus the step.
    @Test func afterABackwardStepNoCodeOutlivesItsTTLPlusTheStep() throws {
        let site = try Site(["OTP_TTL_SECONDS": "1", "OTP_RESEND_COOLDOWN_SECONDS": "1"])
        let trueTime = Int64(Date().timeIntervalSince1970), clock = SetClock(trueTime + 60)
        let service = try service(site, clock: clock)
        let early = try Identifier(channel: .email, raw: "early@example.com")
        let late = try Identifier(channel: .email, raw: "late@example.com")
        _ = try service.generate(for: early)
        clock.now = trueTime + 2
        _ = try service.generate(for: late)
        let earlyCode = try #require(try site.codes(for: "early@example.com").last)
        let lateCode = try #require(try site.codes(for: "late@example.com").last)
        clock.now = trueTime
        // The built verify reads the true clock: the early code, issued a minute ahead, still lives.
        #expect(try site.run("verify", json: ["channel": "email", "identifier": "early@example.com", "code": earlyCode]).status == 200)
        #expect(throws: OTPError.coolingDown(retryAfter: 3), "the cooldown's second plus the 2 s step") {
            try service.generate(for: late)
        }
        clock.now = trueTime + 3
        #expect(throws: OTPError.invalidCode, "dead at its TTL plus the step") { try service.verify(late, code: lateCode) }
    }

    /// A forward step only shortens lives: a code issued 301 s "ago" with a TTL of 300 is dead at once.
    @Test(arguments: [(skew: Int64(-301), status: 400), (skew: Int64(-100), status: 200), (skew: Int64(0), status: 200)])
    func afterAForwardStepACodeDiesNoLaterThanItsTTL(skew: Int64, status: Int) throws {
        let site = try Site(["OTP_TTL_SECONDS": "300"])
        _ = try service(site, clock: SetClock(Int64(Date().timeIntervalSince1970) + skew))
            .generate(for: try Identifier(channel: .email, raw: "step@example.com"))
        let code = try #require(try site.codes(for: "step@example.com").last)
        #expect(try site.run("verify", json: ["channel": "email", "identifier": "step@example.com", "code": code]).status == status)
    }

    /// 200 unique identifiers crowd one shard and die a second after their send; their slots are then free, and a
    /// second flood of 200 others takes them rather than the disk: the shard's table at most doubles (a bucket
    /// that the new keys fill grows it once), and no file is made per identifier. The second flood comes just
    /// after the first's last expiry on a clock the test sets, however long the first took.
    @Test func aFloodOfUniqueIdentifiersLeavesFreeSlotsThatTheNextFloodTakes() throws {
        // 50 processes at once on one shard's lock, on a shared machine: the longest lock wait, so none gives up.
        let site = try Site.withKnownKey(["OTP_TTL_SECONDS": "1", "OTP_RESEND_COOLDOWN_SECONDS": "1", "OTP_SEND_WINDOW_SECONDS": "1",
                                          "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_LOCK_TIMEOUT_MS": "30000"])
        let emails = try site.emailsInOneShard(400, tag: "flood")
        let shard = try site.shard(of: emails[0]), table = site.store.path + "/t/" + shard
        var lastExpiry = 0
        for batch in stride(from: 0, to: 200, by: 50) {
            let bodies = try emails[batch..<batch + 50].map { Array(try JSONSerialization.data(withJSONObject: ["channel": "email", "identifier": $0])) }
            let answers = try site.runAll("generate", bodies)
            #expect(answers.allSatisfy { $0.status == 200 })
            lastExpiry = max(lastExpiry, answers.compactMap { $0.json["expires_at"] as? Int }.max() ?? 0)
        }
        func size() throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: table)[.size] as? Int) }
        let grown = try size()
        let clock = SetClock(Int64(lastExpiry) + 1)
        #expect(site.liveSlots(ofShard: shard, now: clock.now) == 0)
        let later = try service(site, clock: clock)
        for email in emails[200..<400] { _ = try later.generate(for: try Identifier(channel: .email, raw: email)) }
        let after = try size()
        #expect(after <= 2 * grown, "\(after) bytes after the second flood, \(grown) after the first")
        #expect(site.liveSlots(ofShard: shard, now: clock.now) >= 200)
        #expect(site.liveSlots(ofShard: shard, now: clock.now + 2) == 0)
        // The floods' mailboxes' own counters live in slots too: t/ holds a table and a lock a shard, and no more.
        let names = try FileManager.default.contentsOfDirectory(atPath: site.store.path + "/t")
        #expect(names.allSatisfy { $0.utf8.count == 2 || $0.hasSuffix(".lock") }, "\(names)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: site.outbox.path)) ?? []).count == 400)
    }
}
