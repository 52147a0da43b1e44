// A full disk, a broken store directory, a damaged record, a deleted lock file: a clear answer, a log line, recovery.
import Foundation
import Testing
import TestSupport

/// A small tmpfs the test mounts (it needs root, as `make test` has) and unmounts.
final class SmallFilesystem {
    let path: String
    init(at path: String, kilobytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Project.run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0700", "tmpfs", path)
    }
    private var mounted = true
    deinit { unmount() }

    /// Before the site's directory is removed, which cannot remove a mount point.
    func unmount() {
        if mounted { try? Project.run("/usr/bin/umount", "-l", path) }
        mounted = false
    }

    /// Writes zeros until the filesystem refuses.
    func fill() -> Bool {
        guard FileManager.default.createFile(atPath: path + "/fill", contents: nil),
              let handle = FileHandle(forWritingAtPath: path + "/fill") else { return false }
        defer { try? handle.close() }
        let chunk = Data(count: 4096)
        for _ in 0..<100_000 { do { try handle.write(contentsOf: chunk) } catch { return true } }
        return false
    }

    func remount(readOnly: Bool) throws { try Project.run("/usr/bin/mount", "-o", "remount,\(readOnly ? "ro" : "rw")", path) }
}

private func put(_ path: String, _ data: Data) throws { try data.write(to: URL(fileURLWithPath: path)) }

@Suite struct StoreFaultTests {
    let email = "fault@example.com"
    var request: [String: String] { ["channel": "email", "identifier": email] }
    static let isRoot = getuid() == 0

    /// On a full disk, a write that needs new space (here the first slot of a shard's new table) fails: a 500, and
    /// nothing is sent; the earlier code still verifies once there is room again.
    @Test(.enabled(if: isRoot, "mounting a small tmpfs needs root (make test runs as root)"))
    func aFullDiskIs500AndKeepsThePreviousCode() throws {
        let site = try Site.withKnownKey(["OTP_RESEND_COOLDOWN_SECONDS": "0"])
        let disk = try SmallFilesystem(at: site.directory.path + "/small", kilobytes: 256)
        defer { disk.unmount() }
        site.settings["OTP_STORE_DIR"] = disk.path + "/store"
        #expect(try site.run("generate", json: request).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let tables = try FileManager.default.contentsOfDirectory(atPath: disk.path + "/store/t")
        let other = try #require((0..<1000).map { "fault-\($0)@example.com" }.first { !tables.contains(String(try! site.recordKey($0).hex.prefix(2))) })
        #expect(disk.fill())
        let refused = try site.run("generate", json: ["channel": "email", "identifier": other])
        #expect(refused.status == 500 && refused.detail == "Could not store the code")
        #expect(refused.stderr.contains("otp-cgi: store: ") && refused.stderr.contains("No space left on device"), "\(refused.stderr)")
        #expect(try site.codes(for: other).isEmpty)
        try FileManager.default.removeItem(atPath: disk.path + "/fill")
        #expect(try site.run("verify", json: request.merging(["code": code]) { $1 }).status == 200)
        #expect(try site.run("generate", json: ["channel": "email", "identifier": other]).status == 200)
    }

    /// RLIMIT_FSIZE, as a host may set it, here in the middle of the code's slot: the write fails whole with EFBIG
    /// (the kernel would write the bytes below the limit and tear the slot), and SIGXFSZ does not kill the process.
    @Test func aFileSizeLimitIs500AndKeepsThePreviousCode() throws {
        let site = try Site.withKnownKey(["OTP_RESEND_COOLDOWN_SECONDS": "0"])
        #expect(try site.run("generate", json: request).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let slot = try #require(try site.recordSlot(email))
        let refused = try site.run("generate", #"{"channel": "email", "identifier": "\#(email)"}"#,
                                   launcher: ["/usr/bin/prlimit", "--fsize=\(slot.offset + 64)", "--"])
        #expect(refused.status == 500 && refused.detail == "Could not store the code")
        #expect(refused.stderr.contains("File too large"))
        #expect(try site.codes(for: email).count == 1)
        #expect(try site.run("verify", json: request.merging(["code": code]) { $1 }).status == 200)
    }

    /// Each broken store directory: the answer, what the log says, then the fix an operator would not need to
    /// make beyond removing the cause (the store is made again where its parent exists).
    @Test(arguments: [
        ("missing parent", 500, "cannot create store directory"),
        ("symlink", 500, "is a symlink, which is refused; set OTP_STORE_DIR to the real directory"),
        ("readable by others", 500, "OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700"),
        ("a file", 500, "Not a directory"),
        ("unwritable", 500, isRoot ? "Read-only file system" : "Permission denied"),
        ("missing", 200, "created the store directory"),
    ])
    func aBrokenStoreDirectoryIsAClear500AndRecovers(broken: String, status: Int, logged: String) throws {
        let site = try Site()
        let store = site.store.path
        var readOnly: SmallFilesystem?
        switch broken {
        case "missing parent": site.settings["OTP_STORE_DIR"] = site.directory.path + "/gone/store"
        case "symlink":
            try FileManager.default.createDirectory(atPath: site.directory.path + "/elsewhere", withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.createSymbolicLink(atPath: store, withDestinationPath: site.directory.path + "/elsewhere")
        case "readable by others":
            try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        case "a file": try put(store, Data("x".utf8))
        case "unwritable":
            if Self.isRoot {
                readOnly = try SmallFilesystem(at: store, kilobytes: 64)
                try readOnly?.remount(readOnly: true)
            } else {
                try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o500])
            }
        default: break
        }
        let answer = try site.run("generate", json: request)
        #expect(answer.status == status)
        if status == 500 {
            #expect(answer.detail == "Could not store the code" || answer.detail?.hasPrefix("server misconfigured: OTP_STORE_DIR") == true)
        }
        #expect(answer.stderr.contains(logged), "\(answer.stderr)")
        readOnly = nil
        site.settings["OTP_STORE_DIR"] = store
        try? FileManager.default.removeItem(atPath: store)
        #expect(try site.run("generate", json: ["channel": "email", "identifier": "after@example.com"]).status == 200)
    }

    /// A damaged record reads as no record, with a log line; the next send replaces it.
    @Test(arguments: [("garbage", "is corrupt; treating it as absent"), ("torn", "is corrupt; treating it as absent"),
                      ("bit flip", "is corrupt; treating it as absent"), ("checksum", "is corrupt; treating it as absent"),
                      ("cut short", "was empty or cut short; starting it afresh")])
    func aDamagedRecordIsLoggedReadAsAbsentAndReplaced(damage: String, logged: String) throws {
        let site = try Site.withKnownKey(["OTP_RESEND_COOLDOWN_SECONDS": "0"])
        #expect(try site.run("generate", json: request).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let (path, slot) = try #require(try site.recordSlot(email))
        var table = try #require(FileManager.default.contents(atPath: path))
        switch damage {
        case "garbage": table.replaceSubrange(slot + 48..<slot + 80, with: Data((0..<32).map { UInt8(0x41 + $0 % 26) }))
        case "torn": table.replaceSubrange(slot + 128..<slot + 256, with: Data(count: 128))
        case "bit flip": table[slot + 60] ^= 0x04
        case "checksum": table[slot + 250] ^= 0x01
        default: table = table.prefix(100)
        }
        try put(path, table)
        let checked = try site.run("verify", json: request.merging(["code": code]) { $1 })
        #expect(checked.status == 400 && checked.detail == "Invalid or expired code")
        #expect(checked.stderr.contains(logged), "\(checked.stderr)")
        #expect(try site.run("generate", json: request).status == 200)
        let fresh = try #require(try site.codes(for: email).last)
        #expect(try site.run("verify", json: request.merging(["code": fresh]) { $1 }).status == 200)
    }

    /// A lock file deleted while a process holds it (by hand, or by a cleaner of /var/tmp): the next request
    /// makes a new one, says so in the log, and does not wait for the old holder.
    @Test func aLockFileDeletedWhileHeldIsRecreatedAndLogged() throws {
        let site = try Site.withKnownKey(["OTP_LOCK_TIMEOUT_MS": "30000"])
        #expect(try site.run("generate", json: request).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let lock = site.store.path + "/t/\(try site.shard(of: email)).lock"
        let holder = open(lock, O_RDWR | O_CLOEXEC)
        defer { close(holder) }
        #expect(holder >= 0 && flock(holder, LOCK_EX) == 0)
        #expect(unlink(lock) == 0)
        let checked = try site.run("verify", json: request.merging(["code": code]) { $1 })
        #expect(checked.status == 200)
        #expect(checked.stderr.contains("was missing (deleted while in use?); creating a new one"))
        #expect(FileManager.default.fileExists(atPath: lock) && site.heldLocks().isEmpty)
        #expect(!(try site.run("generate", json: ["channel": "email", "identifier": "next@example.com"]).stderr.contains("lock file")))
    }
}
