// The file store on a real directory: transitions, no key in it, corruption, sweeping, and refusals.
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
        #expect(names.sorted() == [".", "..", "r"])
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

    @Test func aCorruptRecordCountsAsAbsentAndIsReplaced() throws {
        let store = FileStore(path: storePath)
        _ = try store.issue(key, codeMAC: mac, policy: policy, now: 1000)
        let file = storePath + "/r/ab/" + String(key.hex.dropFirst(2))
        #expect(system("printf 'garbage' > '\(file)'") == 0)
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1001) == .absent)
        #expect(try store.issue(key, codeMAC: mac, policy: policy, now: 1002) == .issued(previous: nil))
        #expect(try store.check(key, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: 1003) == .verified)
    }

    @Test func sweepingRemovesDeadRecordsAndLeftoverTempFilesOnly() throws {
        let store = FileStore(path: storePath, sweepOneIn: 1)
        let live = RecordKey(hex: "ab" + String(repeating: "cd", count: 31))
        _ = try store.issue(key, codeMAC: mac, policy: policy, now: 1000)
        _ = try store.issue(live, codeMAC: mac, policy: policy, now: Clock.unixSeconds())
        #expect(system("touch '\(storePath)/r/ab/.tmp.deadbeef'") == 0)
        for i in 0..<10 {
            _ = try store.issue(RecordKey(hex: "ab" + String(repeating: "0", count: 60) + String(i % 10) + "0"), codeMAC: mac,
                                policy: IssuePolicy(ttlSeconds: 1, cooldownSeconds: 0), now: Clock.unixSeconds() + 10)
        }
        #expect(access(storePath + "/r/ab/" + String(key.hex.dropFirst(2)), F_OK) != 0)
        #expect(access(storePath + "/r/ab/.tmp.deadbeef", F_OK) != 0)
        #expect(access(storePath + "/r/ab/lock", F_OK) == 0)
        #expect(try store.check(live, codeMAC: mac, policy: CheckPolicy(maxAttempts: 5), now: Clock.unixSeconds()) == .verified)
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
        let holder = open(storePath + "/r/ab/lock", O_RDWR)
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
