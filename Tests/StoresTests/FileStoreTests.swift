// The file store on a real directory: transitions, no key in it, corruption, the old layout, and refusals.
import Testing
import Glibc
@testable import Stores
import OTP
import Platform
import Digests

final class TemporaryDirectory {
    let path: String
    init() {
        var template = Array("/tmp/otp-test-XXXXXX".utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }
    deinit { _ = system("rm -rf '\(path)'") }
}

@Suite struct FileStoreTests {
    let dir = TemporaryDirectory()
    var storePath: String { dir.path + "/store" }
    let key = RecordKey(hex: String(repeating: "ab", count: 32))
    let mac = [UInt8](repeating: 1, count: 32)
    let policy = IssuePolicy(ttlSeconds: 300, cooldownSeconds: 30)

    @Test func issuesChecksAndConsumesACode() throws {
        let store = FileStore(path: storePath)
        #expect(try store.issue(key, codeMAC: mac, policy: policy, now: 1000) == .issued(previous: nil))
        #expect(try store.issue(key, codeMAC: mac, policy: policy, now: 1001) == .coolingDown(retryAfter: 29))
        #expect(try store.check(key, codeMAC: [UInt8](repeating: 2, count: 32), policy: CheckPolicy(maxAttempts: 5), now: 1002) == .wrong)
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1003) == .verified)
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1004) == .absent)
    }

    @Test func aFreshProcessSeesWhatAnotherWrote() throws {
        _ = try FileStore(path: storePath).issue(key, codeMAC: mac, policy: policy, now: 1000)
        #expect(try FileStore(path: storePath).check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1001) == .verified)
    }

    @Test func withdrawingPutsBackTheEarlierRecord() throws {
        let store = FileStore(path: storePath)
        _ = try store.issue(key, codeMAC: mac, policy: IssuePolicy(ttlSeconds: 300, cooldownSeconds: 0), now: 1000)
        let newer = [UInt8](repeating: 3, count: 32)
        guard case .issued(let previous) = try store.issue(key, codeMAC: newer, policy: policy, now: 1001) else {
            Issue.record("not issued"); return
        }
        try store.withdraw(key, codeMAC: newer, restoring: previous)
        #expect(try store.check(key, codeMAC: newer, policy: CheckPolicy(maxAttempts: 5), now: 1002) == .wrong)
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1002) == .verified)
    }

    /// The key is the settings', never the store's; a copy of the store holds records only.
    @Test func theStoreHoldsNoKeyOnlyItsPrivateRecords() throws {
        let store = FileStore(path: storePath)
        _ = try store.issue(key, codeMAC: mac, policy: policy, now: 1000)
        let root = try #require(opendir(storePath))
        defer { closedir(root) }
        var names: [String] = []
        while let entry = readdir(root) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
        }
        #expect(names.sorted() == [".", "..", "t"])
        var info = stat()
        #expect(stat(storePath, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    /// Any local user may make /var/tmp/otp-cgi-<uid> first: the answer is the misconfiguration, and the log
    /// says whose directory it is and which setting to use instead.
    @Test(.enabled(if: getuid() == 0, "chown needs root")) func aDirectoryOfAnotherUserIsRefusedAndTheLogSaysWhatToSet() throws {
        #expect(mkdir(storePath, 0o700) == 0 && chown(storePath, 65534, 65534) == 0)
        var lines: [String] = []
        #expect { try Self.touch(FileStore(path: storePath, log: { lines.append($0) })) } throws: { error in
            (error as? StoreFault)?.kind == .misconfigured("OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700")
        }
        #expect(lines == ["store directory \(storePath) is owned by uid 65534, not by this process's uid 0; set OTP_STORE_DIR to a "
                          + "directory of the web server's user with mode 0700, such as /var/lib/otp-cgi"])
    }

    /// Any transition opens the store's directory first.
    static func touch(_ store: FileStore) throws {
        _ = try store.check(RecordKey(hex: String(repeating: "ab", count: 32)), codeMAC: [], policy: CheckPolicy(maxAttempts: 5), now: 0)
    }

    @Test func aCorruptRecordCountsAsAbsentIsLoggedAndIsReplaced() throws {
        var lines: [String] = []
        let store = FileStore(path: storePath, log: { lines.append($0) })
        _ = try store.issue(key, codeMAC: mac, policy: policy, now: 1000)
        var table = try #require(FileBytes(storePath + "/t/ab"))
        let slot = try #require(stride(from: 0, to: table.bytes.count, by: 256).first { table.bytes[$0..<$0 + 32].elementsEqual(Hex.decode(key.hex[...])!) })
        table.bytes[slot + 70] ^= 0xff
        try table.write()
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1001) == .absent)
        #expect(lines.filter { $0.contains("corrupt") } == ["record in shard ab is corrupt; treating it as absent"])
        #expect(try store.issue(key, codeMAC: mac, policy: policy, now: 1002) == .issued(previous: nil))
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1003) == .verified)
    }

    /// The layout before tables (a file per record in r/XX/) is not read: each shard of it goes as that shard's
    /// table is made, and r/ itself with the last.
    @Test func theOldLayoutGoesShardByShard() throws {
        #expect(mkdir(storePath, 0o700) == 0)
        for shard in ["ab", "cd"] {
            #expect(system("mkdir -p '\(storePath)/r/\(shard)' && touch '\(storePath)/r/\(shard)/lock' '\(storePath)/r/\(shard)/\(String(repeating: "0", count: 62))'") == 0)
        }
        var lines: [String] = []
        let store = FileStore(path: storePath, log: { lines.append($0) })
        _ = try store.issue(key, codeMAC: mac, policy: policy, now: 1000)
        #expect(access(storePath + "/r/ab", F_OK) != 0 && access(storePath + "/r/cd", F_OK) == 0)
        #expect(lines.isEmpty)
        _ = try store.issue(RecordKey(hex: "cd" + String(repeating: "ab", count: 31)), codeMAC: mac, policy: policy, now: 1000)
        #expect(access(storePath + "/r", F_OK) != 0)
        #expect(lines == ["removed the last shard of the old store layout (\(storePath)/r); its codes and counts were dropped"])
    }

    /// An event log longer than a slot (an IPv6 /48's failures) moves to a file of its own and back.
    @Test func aLongEventLogLivesInItsOwnFile() throws {
        let store = FileStore(path: storePath), log = RecordKey(hex: "ab" + String(repeating: "12", count: 31))
        for second in 0..<60 { #expect(try store.take(log, limit: 100, windowSeconds: 3600, now: 1000 + Int64(second)) == .counted) }
        #expect(access(storePath + "/t/o/" + log.hex, F_OK) == 0)
        for _ in 0..<40 { #expect(try store.take(log, limit: 100, windowSeconds: 3600, now: 1100) == .counted) }
        #expect(try store.take(log, limit: 100, windowSeconds: 3600, now: 1100) == .limited(retryAfter: 3501))
        // An hour on, the log holds one time again: back in its slot.
        #expect(try store.take(log, limit: 100, windowSeconds: 3600, now: 4701) == .counted)
        #expect(access(storePath + "/t/o/" + log.hex, F_OK) != 0)
    }

    @Test func refusesADirectoryOthersCanRead() throws {
        #expect(mkdir(storePath, 0o755) == 0 && chmod(storePath, 0o755) == 0)
        #expect { try Self.touch(FileStore(path: storePath)) } throws: { error in
            (error as? StoreFault)?.kind == .misconfigured("OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700")
        }
    }

    @Test func refusesASymlinkedDirectory() throws {
        #expect(mkdir(dir.path + "/elsewhere", 0o700) == 0 && symlink(dir.path + "/elsewhere", storePath) == 0)
        #expect(throws: StoreFault.self) { try Self.touch(FileStore(path: storePath)) }
    }

    @Test func aMissingParentIsAStoreFault() {
        #expect(throws: StoreFault.self) { try Self.touch(FileStore(path: dir.path + "/no/such/store")) }
    }

    @Test func aHeldLockMakesOthersGiveUpAsBusy() throws {
        let store = FileStore(path: storePath, lockTimeoutMilliseconds: 50)
        _ = try store.issue(key, codeMAC: mac, policy: policy, now: 1000)
        let holder = open(storePath + "/t/ab.lock", O_RDWR)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        do {
            _ = try FileStore(path: storePath, lockTimeoutMilliseconds: 50).check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1001)
            Issue.record("the check went through a held lock")
        } catch {
            #expect(error.busy)
        }
    }
}

@Suite struct FileStoreEventLogTests {
    let dir = TemporaryDirectory()

    @Test func countsEventsPerWindowAcrossStoreInstancesAndGivesThemBack() throws {
        let key = RecordKey(secret: HMACKey(Array("0123456789abcdef".utf8)), budget: .clientSends, of: "192.0.2.7")
        let outcomes = try (0..<4).map { _ in try FileStore(path: dir.path + "/store").take(key, limit: 3, windowSeconds: 60, now: 1000) }
        #expect(outcomes == [.counted, .counted, .counted, .limited(retryAfter: 61)])
        #expect(try FileStore(path: dir.path + "/store").take(key, limit: 3, windowSeconds: 60, now: 1060) == .limited(retryAfter: 1))
        #expect(try FileStore(path: dir.path + "/store").take(key, limit: 3, windowSeconds: 60, now: 1061) == .counted)
        try FileStore(path: dir.path + "/store").giveBack(key, at: 1061, windowSeconds: 60)
        #expect(try FileStore(path: dir.path + "/store").take(key, limit: 1, windowSeconds: 60, now: 1062) == .counted)
    }

    @Test func aLogsKeyIsNotItsSubjectAndDiffersByBudget() throws {
        let secret = HMACKey(Array("0123456789abcdef".utf8))
        let sends = RecordKey(secret: secret, budget: .sends, of: "joe@example.com")
        #expect(sends != RecordKey(secret: secret, identifier: try Identifier(channel: .email, raw: "joe@example.com")))
        #expect(sends != RecordKey(secret: secret, budget: .failures, of: "joe@example.com"))
        #expect(!sends.hex.contains("joe"))
        #expect(RecordKey(secret: secret, budget: .clientSends, of: "192.0.2.7") != RecordKey(secret: secret, budget: .clientSends, of: "192.0.2.8"))
    }
}
