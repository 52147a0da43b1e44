// The file store's system calls, recorded with strace: which writes wait for the disk under each OTP_STORE_SYNC,
// and that an unknown identifier costs the store exactly what a wrong code does.
import Foundation
import Testing
import TestSupport

extension Site {
    /// Runs `program` once under strace (`-y`: descriptors shown with their paths); its answer and one line per call.
    func traced(_ program: String, json: [String: String], calls: String? = nil) throws -> (CGIAnswer, [String]) {
        let trace = directory.appendingPathComponent("trace-\(UUID().uuidString.prefix(8))").path
        let body = String(decoding: try JSONSerialization.data(withJSONObject: json, options: .sortedKeys), as: UTF8.self)
        let answer = try run(program, body, launcher: ["/usr/bin/strace", "-qq", "-y", "-o", trace] + (calls.map { ["-e", "trace=\($0)"] } ?? []))
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        try FileManager.default.removeItem(atPath: trace)
        return (answer, lines)
    }

    /// The paths a run passed to fsync, relative to the site's directory ("." for the directory itself).
    func fsynced(_ program: String, json: [String: String]) throws -> (Int, [String]) {
        let (answer, lines) = try traced(program, json: json, calls: "fsync,fdatasync,sync,syncfs")
        let base = directory.resolvingSymlinksInPath().path
        let paths = lines.map { line -> String in
            guard let open = line.firstIndex(of: "<"), let close = line[open...].firstIndex(of: ">") else { return line }
            let path = String(line[line.index(after: open)..<close])
            return path == base ? "." : path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
        }
        return (answer.status, paths)
    }
}

@Suite struct StoreSyncTests {
    /// Memory management is the allocator's, not the store's: a few bytes more to decode a record may grow the heap.
    private static let allocatorCalls: Set<String> = ["brk", "mmap", "munmap", "mprotect", "madvise", "mremap"]

    private func names(_ lines: [String]) -> [String] {
        lines.map { String($0.prefix { $0 != "(" }) }.filter { !Self.allocatorCalls.contains($0) }
    }

    /// Timing told them apart (a wrong code wrote and synced its attempt, an unknown identifier wrote nothing);
    /// now both read a page and write a slot in the same order, so there is nothing to time.
    /// The failure limits are left out: both requests count alike in them (an unknown identifier is a failure too),
    /// but whether each event log's shard directory exists yet depends on its name's HMAC, not on the code.
    @Test func anUnknownIdentifierMakesTheSameCallsInTheSameOrderAsAWrongCode() throws {
        let site = try Site.withKnownKey(Self.noFailureLimits)
        let emails = try site.emailsInOneShard(2, tag: "same")
        #expect(try site.run("generate", json: ["channel": "email", "identifier": emails[0]]).status == 200)
        let code = try #require(try site.codes(for: emails[0]).first)
        let wrongCode = code == "000000" ? "111111" : "000000"

        let (wrong, wrongCalls) = try site.traced("verify", json: ["channel": "email", "identifier": emails[0], "code": wrongCode])
        let (unknown, unknownCalls) = try site.traced("verify", json: ["channel": "email", "identifier": emails[1], "code": wrongCode])
        #expect(wrong.status == 400 && unknown.status == 400)
        #expect(wrong.detail == unknown.detail)
        #expect(names(wrongCalls) == names(unknownCalls),
                "\(zip(names(wrongCalls), names(unknownCalls)).enumerated().first { $0.1.0 != $0.1.1 }.map { "first difference at call \($0.0): \($0.1)" } ?? "different lengths")")
        // Both read one page and wrote one slot in place, neither synced, and no file was made, renamed or removed.
        for calls in [wrongCalls, unknownCalls] {
            #expect(calls.contains { $0.hasPrefix("pread64(") } && calls.contains { $0.hasPrefix("pwrite64(") })
            #expect(!calls.contains { ["fsync(", "fdatasync(", "linkat(", "renameat(", "unlinkat(", "rename("].contains(where: $0.hasPrefix) })
            #expect(!calls.contains { $0.hasPrefix("openat(") && $0.contains("O_CREAT") })
        }
        // The wrong code's attempt was counted; the unknown identifier left no record behind.
        #expect(try site.recordSlot(emails[0]) != nil)
        #expect(try site.recordSlot(emails[1]) == nil)
    }

    /// By default only what a power cut must not undo waits for the disk: the directories, lock files and tables as
    /// they are made, and a used-up code. A new code, a wrong attempt and the client's counter are written in place
    /// but not synced.
    @Test func byDefaultOnlyWhatIsMadeAndAUsedCodeAreSynced() throws {
        let site = try Site.withKnownKey(Self.onlyTheClientsSends)
        let emails = try site.emailsInOneShard(2, tag: "used")
        let table = "store/t/" + (try site.shard(of: emails[0]))

        let (status, first) = try site.fsynced("generate", json: ["channel": "email", "identifier": emails[0]])
        #expect(status == 200)
        // The store and t/ were made, each synced into its parent; the lock files and tables (the record's and the
        // client counter's) were made and synced with t/.
        #expect(first.allSatisfy { $0 == "." || $0 == "store" || $0 == "store/t" || $0.hasPrefix("store/t/") && !$0.hasSuffix(".lock") }, "\(first)")
        #expect(Set(first).isSuperset(of: [".", "store", "store/t", table]), "\(first)")

        let (_, second) = try site.fsynced("generate", json: ["channel": "email", "identifier": emails[1]])
        #expect(second.isEmpty, "\(second)")
        let code = try #require(try site.codes(for: emails[0]).first)
        let (wrongStatus, wrong) = try site.fsynced("verify", json: ["channel": "email", "identifier": emails[0], "code": code == "000000" ? "111111" : "000000"])
        #expect(wrongStatus == 400)
        #expect(wrong.isEmpty, "\(wrong)")

        // The used-up record's slot is emptied, and that write waits for the disk: fdatasync of its table.
        let (rightStatus, right) = try site.fsynced("verify", json: ["channel": "email", "identifier": emails[0], "code": code])
        #expect(rightStatus == 200)
        #expect(right == [table], "\(right)")
    }

    @Test func alwaysSyncsEveryWrite() throws {
        let site = try Site.withKnownKey(Self.onlyTheClientsSends.merging(["OTP_STORE_SYNC": "always"]) { $1 })
        let emails = try site.emailsInOneShard(2, tag: "always"), email = emails[1]
        let table = "store/t/" + (try site.shard(of: email))
        #expect(try site.run("generate", json: ["channel": "email", "identifier": emails[0]]).status == 200)
        // The record's table and the tables of the client's two send counters (its address and its /24), each
        // synced once after its slot is written (the known key puts the three in three shards).
        let (status, generate) = try site.fsynced("generate", json: ["channel": "email", "identifier": email])
        #expect(status == 200)
        #expect(generate.count == 3 && generate.contains(table) && generate.allSatisfy { $0.hasPrefix("store/t/") }, "\(generate)")
        let (_, wrong) = try site.fsynced("verify", json: ["channel": "email", "identifier": email, "code": "000000"])
        #expect(wrong == [table], "\(wrong)")
    }

    /// The limits whose event logs would add writes (and, on first use, directories) to the calls these tests
    /// count; the client's sends stay, as the counter these tests were written with.
    static let noFailureLimits = ["OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "0", "OTP_IP_MAX_FAILED_VERIFIES_PER_WINDOW": "0"]
    static let onlyTheClientsSends = noFailureLimits.merging(["OTP_MAX_SENDS_PER_WINDOW": "0"]) { $1 }

    @Test func neverSyncsNothingNotEvenAUsedCode() throws {
        let site = try Site.withKnownKey(["OTP_STORE_SYNC": "never"])
        let email = "never@example.com"
        let (status, generate) = try site.fsynced("generate", json: ["channel": "email", "identifier": email])
        #expect(status == 200)
        #expect(generate.isEmpty, "\(generate)")
        let code = try #require(try site.codes(for: email).first)
        let (rightStatus, right) = try site.fsynced("verify", json: ["channel": "email", "identifier": email, "code": code])
        #expect(rightStatus == 200)
        #expect(right.isEmpty, "\(right)")
    }

    @Test func anUnknownSyncModeIsAMisconfiguration() throws {
        let site = try Site(["OTP_STORE_SYNC": "sometimes"])
        let answer = try site.run("generate", json: ["channel": "email", "identifier": "mode@example.com"])
        #expect(answer.status == 500)
        #expect(answer.detail == "server misconfigured: OTP_STORE_SYNC must be used, always or never")
    }
}
