// FastCGI responders under mod_fcgid killed mid-request: the store stays consistent and the responders are replaced.
import Foundation
import Testing
import TestSupport

extension LocalApache: StoreInspecting {
    var store: URL { run.appendingPathComponent("store") }

    /// The FastCGI responders mod_fcgid started for this Apache: processes running a cgi-bin executable in this
    /// Apache's process tree (other suites' Apaches run the same executables).
    func responderPIDs() -> [pid_t] {
        ProcessTable.running(["generate", "verify"]).filter { ProcessTable.descends($0, from: apachePID) }
    }
}

/// Apache with mod_fcgid, whatever OTP_TEST_GATEWAY says: responders killed with SIGKILL in the middle of
/// traffic leave the store consistent, and Apache starts new ones for the next requests.
@Suite(.localApache(["OTP_RESEND_COOLDOWN_SECONDS": "0", "OTP_MAX_SENDS_PER_WINDOW": "0", "OTP_IP_MAX_SENDS_PER_WINDOW": "0",
                     "OTP_LOCK_TIMEOUT_MS": "15000"], gateway: .fcgid))
struct FastCGIKillTests {
    @Test func killedRespondersLeaveAConsistentStoreAndAreReplaced() async throws {
        let apache = try LocalApache.running
        let warm = uniqueEmail("warm")
        #expect(try await apache.post("generate", ["channel": "email", "identifier": warm]).status == 200)
        #expect(!apache.responderPIDs().isEmpty, "mod_fcgid keeps a responder process between requests")
        let emails = (0..<60).map { _ in uniqueEmail("kill") }
        let killer = Task {
            var killed = 0
            for _ in 0..<5 {
                try await Task.sleep(nanoseconds: 30_000_000)
                for pid in apache.responderPIDs() where kill(pid, SIGKILL) == 0 { killed += 1 }
            }
            return killed
        }
        let answers = try await withThrowingTaskGroup(of: (String, HTTPAnswer).self) { group in
            for email in emails {
                group.addTask { (email, try await apache.post("generate", ["channel": "email", "identifier": email])) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let killed = try await killer.value
        #expect(killed > 0)
        // A responder serves one request at a time, so each kill breaks at most one request in flight: it gets
        // mod_fcgid's own 500 page ("error reading data from FastCGI server"). A request that finds only killed
        // processes until their replacements start gets its own 503 ("can't apply process slot"). Every other
        // request is sent and answered 200; none gets a 5xx of ours.
        let failed = answers.filter { $0.1.status != 200 }
        #expect(failed.filter { $0.1.status == 500 }.count <= killed, "\(failed.count) failed for \(killed) kills")
        #expect(failed.allSatisfy { answer in
            [(500, "<title>500 Internal Server Error</title>"), (503, "<title>503 Service Unavailable</title>")]
                .contains { answer.1.status == $0.0 && answer.1.body.contains($0.1) }
        }, "\(failed.map { "\($0.1.status) \($0.1.body)" })")
        for (email, answer) in answers where answer.status == 200 { #expect(try apache.outbox.messages(to: email).count == 1) }
        #expect(apache.heldLocks().isEmpty)
        #expect(apache.everyRecordDecodes())
        // mod_fcgid notices dead processes on its scan (FcgidErrorScanInterval, 1 s in our template), so a
        // request in that second may still meet one; by the next scan new responders answer.
        let after = uniqueEmail("after")
        var later: [Int] = []
        for _ in 0..<10 where later.last != 200 {
            if !later.isEmpty { try await Task.sleep(nanoseconds: 500_000_000) }
            later.append(try await apache.post("generate", ["channel": "email", "identifier": after]).status)
        }
        #expect(later.last == 200 && later.count <= 4, "\(later)")
        let code = try apache.outbox.code(for: after)
        #expect(try await apache.post("verify", ["channel": "email", "identifier": after, "code": code]).status == 200)
    }
}
