// generate and verify killed with SIGKILL at random points amid concurrent traffic: the store must not notice.
import Foundation
import Testing
import TestSupport

extension Site {
    /// Starts one process per job, feeds them all at once, then SIGKILLs each job that has a delay that many
    /// microseconds later. The answers of those that finished; nil for the killed.
    /// `fed` is told the moment every process has its body: the delays count from it.
    func runKilling(_ jobs: [(program: String, body: [UInt8], killAfter: Int?)], fed: (UInt64) -> Void = { _ in }) throws -> [CGIAnswer?] {
        var running: [(Process, Pipe, Pipe, Pipe)] = []
        for job in jobs {
            let process = Process(), input = Pipe(), output = Pipe(), errors = Pipe()
            process.executableURL = try Project.executable(job.program)
            process.environment = environment(method: "POST", contentType: "application/json", length: job.body.count, extra: [:])
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            running.append((process, input, output, errors))
        }
        for ((_, input, _, _), job) in zip(running, jobs) {
            try? input.fileHandleForWriting.write(contentsOf: Data(job.body))
            try? input.fileHandleForWriting.close()
        }
        let start = DispatchTime.now().uptimeNanoseconds
        fed(start)
        for (index, delay) in jobs.enumerated().compactMap({ i, job in job.killAfter.map { (i, $0) } }).sorted(by: { $0.1 < $1.1 }) {
            let due = start + UInt64(delay) * 1000, now = DispatchTime.now().uptimeNanoseconds
            if due > now { usleep(UInt32((due - now) / 1000)) }
            kill(running[index].0.processIdentifier, SIGKILL)
        }
        return try running.map { process, _, output, errors in
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationReason == .exit else { return nil }
            return try Self.parse(out, stderr: String(decoding: err, as: UTF8.self))
        }
    }
}

@Suite struct KillTests {
    private func body(_ fields: [String: String]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: fields)) }

    /// All traffic crowds one shard's lock, so kills land inside transitions: holding the lock, between the page
    /// read and the slot write, between the write and its fdatasync, and in the client counter and withdrawal of generate.
    @Test func killedProcessesLeaveNoLockNoCorruptionAndNoDoubleVerify() throws {
        let site = try Site.withKnownKey(["OTP_RESEND_COOLDOWN_SECONDS": "0", "OTP_MAX_SENDS_PER_WINDOW": "0",
                                          "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_MAX_ATTEMPTS": "1000000",
                                          "OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "0", "OTP_IP_MAX_FAILED_VERIFIES_PER_WINDOW": "0", "OTP_LOCK_TIMEOUT_MS": "15000"])
        let emails = try site.emailsInOneShard(24, tag: "kill")
        let verified = Array(emails.prefix(12)), resent = Array(emails.suffix(12))
        let first = try site.runAll("generate", verified.map { body(["channel": "email", "identifier": $0]) })
        #expect(first.allSatisfy { $0.status == 200 })
        var codes: [String: String] = [:]
        for email in verified {
            let code = try #require(try site.codes(for: email).first)
            codes[email] = code
        }

        // Kills land within the time the last batch took from being fed to its last exit, so the window follows
        // this machine's speed and load as they change (a process start is not in it: every process has started
        // before it is fed). Batches go on, up to 200, until 64 processes have been killed.
        var generator = SystemRandomNumberGenerator()
        var fedAt: UInt64 = 0
        let calibration = (0..<8).map { _ in (program: "verify", body: body(["channel": "email", "identifier": resent[0], "code": "000000"]), killAfter: Int?.none) }
        _ = try site.runKilling(calibration) { fedAt = $0 }
        var window = max(100, Int((DispatchTime.now().uptimeNanoseconds - fedAt) / 1000))
        var successes: [String: Int] = [:], killed = 0, answered = 0, batches = 0
        while batches < 20 || (killed < 64 && batches < 200) {
            batches += 1
            var jobs: [(program: String, body: [UInt8], killAfter: Int?)] = []
            var targets: [String?] = [], expected: [[Int: String]] = []
            for slot in 0..<16 {
                let killAfter: Int? = Int.random(in: 0..<10, using: &generator) < 8 ? Int.random(in: 0..<window, using: &generator) : nil
                switch slot % 8 {
                case 0, 1, 2:
                    let email = verified.randomElement(using: &generator)!
                    jobs.append(("verify", body(["channel": "email", "identifier": email, "code": codes[email]!]), killAfter))
                    targets.append(email)
                    expected.append([200: "Verified", 400: "Invalid or expired code"])
                case 3:
                    let email = verified.randomElement(using: &generator)!
                    let wrong = String(format: "%06d", (Int(codes[email]!)! + 1) % 1_000_000)
                    jobs.append(("verify", body(["channel": "email", "identifier": email, "code": wrong]), killAfter))
                    targets.append(nil)
                    expected.append([400: "Invalid or expired code"])
                default:
                    jobs.append(("generate", body(["channel": "email", "identifier": resent.randomElement(using: &generator)!]), killAfter))
                    targets.append(nil)
                    expected.append([200: "OTP sent"])
                }
            }
            let answers = try site.runKilling(jobs) { fedAt = $0 }
            window = max(100, Int((DispatchTime.now().uptimeNanoseconds - fedAt) / 1000))
            for ((answer, target), allowed) in zip(zip(answers, targets), expected) {
                guard let answer else { killed += 1; continue }
                answered += 1
                // What the job asks for, or a lock held past OTP_LOCK_TIMEOUT_MS by the crowd on one shard.
                let detail = allowed.merging([503: "Service temporarily unavailable"]) { kept, _ in kept }[answer.status]
                #expect(detail != nil && answer.detail == detail, "\(answer.status) \(answer.detail ?? "") \(answer.stderr)")
                if let target, answer.status == 200 { successes[target, default: 0] += 1 }
            }
        }
        #expect(killed >= 64, "only \(killed) of \(batches * 16) processes were killed")

        #expect(site.heldLocks().isEmpty)
        #expect(site.everyRecordDecodes())
        #expect(successes.values.allSatisfy { $0 == 1 })
        for email in verified {
            let again = try site.run("verify", json: ["channel": "email", "identifier": email, "code": codes[email]!])
            if successes[email] != nil { #expect(again.status == 400, "\(email)'s code verified twice") }
        }

        // Nothing was left to clean up: later requests on the shard are answered, and every slot is still whole.
        #expect(try site.run("generate", json: ["channel": "email", "identifier": resent[0]]).status == 200)
        #expect(site.everyRecordDecodes())
    }

    /// 120 new identifiers crowd one shard, so its table grows several times while processes are killed at random
    /// points, some mid-growth (a new table half written, or written and not yet renamed): every code whose send
    /// was answered still verifies, so no growth lost a record, and no lock is left held.
    @Test func killsWhileATableGrowsLoseNoRecord() throws {
        let site = try Site.withKnownKey(["OTP_MAX_SENDS_PER_WINDOW": "0", "OTP_IP_MAX_SENDS_PER_WINDOW": "0", "OTP_LOCK_TIMEOUT_MS": "15000"])
        let emails = try site.emailsInOneShard(120, tag: "grow")
        // The kills are spread over the time a batch takes once fed, measured on a first batch run the same way and
        // halved after a batch in which every process ended before its kill: a faster build or a quieter machine
        // must not leave the kills landing after the processes are gone.
        var fed: UInt64 = 0
        let first = try site.runKilling(emails.prefix(4).map { ("generate", body(["channel": "email", "identifier": $0]), nil) }, fed: { fed = $0 })
        var window = max(100, Int((DispatchTime.now().uptimeNanoseconds - fed) / 1000))
        #expect(first.allSatisfy { $0?.status == 200 })
        var generator = SystemRandomNumberGenerator()
        var answered = Array(emails.prefix(4)), killed = 0
        for batch in stride(from: 4, to: emails.count, by: 29) {
            let group = Array(emails[batch..<min(batch + 29, emails.count)])
            let jobs = group.map { email -> (program: String, body: [UInt8], killAfter: Int?) in
                ("generate", body(["channel": "email", "identifier": email]), Bool.random(using: &generator) ? Int.random(in: 0..<window, using: &generator) : nil)
            }
            let killedBefore = killed
            for (answer, email) in zip(try site.runKilling(jobs), group) {
                guard let answer else { killed += 1; continue }
                #expect(answer.status == 200, "\(answer.status) \(answer.stderr)")
                if answer.status == 200 { answered.append(email) }
            }
            if killed == killedBefore { window = max(100, window / 2) }
        }
        #expect(killed > 0)
        #expect(site.heldLocks().isEmpty)
        #expect(site.everyRecordDecodes())
        let table = try #require(try FileManager.default.attributesOfItem(atPath: site.store.path + "/t/" + site.shard(of: emails[0]))[.size] as? Int)
        #expect(table >= 4 * 8192, "the table did not grow: \(table) bytes")
        for email in answered {
            let code = try #require(try site.codes(for: email).first)
            #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": code]).status == 200, "\(email)'s code was lost")
        }
    }
}
