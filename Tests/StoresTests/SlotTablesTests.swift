// The slot tables on a real directory, with no record in sight: values in place, one bucket read per lookup, torn slots,
// reuse of dead slots, growth seen by a process that kept the old table, long values, and locks between processes.
import Foundation
import Testing
import Glibc
@testable import Stores
import Platform

@Suite struct SlotTablesTests {
    let dir = TemporaryDirectory()

    /// A table store over a fresh directory, as FileStore makes one.
    func tables(_ log: @escaping (String) -> Void = { _ in }) -> SlotTables {
        #expect(mkdir(dir.path + "/store", 0o700) == 0 || errno == EEXIST)
        return SlotTables(root: open(dir.path + "/store", O_RDONLY | O_DIRECTORY), syncCreations: false, lockTimeoutMilliseconds: 200, log: log)
    }

    /// A key in shard `shard` whose bucket, in a table of any size up to 2^16 buckets, is `bucket` modulo its size,
    /// and whose slot probe starts at `start`; `tag` and `owner` tell keys apart.
    static func key(shard: UInt8 = 0xab, bucket: UInt64 = 0, start: UInt8 = 0, tag: UInt8, owner: UInt8 = 0) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: 32)
        key[0] = shard
        for i in 0..<8 { key[1 + i] = UInt8(truncatingIfNeeded: bucket >> (8 * (7 - i))) }
        key[9] = start
        key[31] = tag
        key[30] = 0x5a
        key[29] = owner
        return key
    }

    func get(_ tables: SlotTables, _ key: [UInt8], now: Int64 = 1000) throws -> SlotRead {
        try tables.update(key, now: now) { ($0, .keep, false) }
    }

    func put(_ tables: SlotTables, _ key: [UInt8], _ value: [UInt8], deadAt: Int64 = 2000, now: Int64 = 1000) throws {
        try tables.update(key, now: now) { _ in ((), .put(value, deadAt: deadAt), false) }
    }

    var tablePath: String { dir.path + "/store/t/ab" }

    func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : -1
    }

    @Test func aValuePutIsReadBackAndRemoved() throws {
        let tables = tables(), key = Self.key(tag: 1)
        #expect(try get(tables, key) == SlotRead(value: nil, damaged: false))
        try put(tables, key, Array("hello".utf8))
        #expect(try get(tables, key) == SlotRead(value: Array("hello".utf8), damaged: false))
        try tables.update(key, now: 1000) { _ in ((), .remove, false) }
        #expect(try get(tables, key).value == nil)
        // One bucket of 32 slots for a new shard, beside its lock.
        #expect(fileSize(tablePath) == 8192 && fileSize(tablePath + ".lock") == 0)
    }

    @Test func aValueIsDeadAtItsTimeAndItsSlotIsTakenByTheNextKey() throws {
        let tables = tables()
        for tag in 0..<32 { try put(tables, Self.key(tag: UInt8(tag)), [UInt8(tag)], deadAt: 1500) }
        #expect(try get(tables, Self.key(tag: 3), now: 1499).value == [3])
        #expect(try get(tables, Self.key(tag: 3), now: 1500).value == nil)
        // All 32 slots of the bucket are dead by 1500: a 33rd key takes one instead of growing the table.
        try put(tables, Self.key(tag: 99), [99], now: 1500)
        #expect(try get(tables, Self.key(tag: 99), now: 1500).value == [99])
        #expect(fileSize(tablePath) == 8192)
    }

    /// Each slot is written by one pwrite of 256 bytes at a 256-byte boundary, so no write crosses a page.
    @Test func everyChangeIsOnePwriteOfOneAlignedSlot() throws {
        let tables = tables(), key = Self.key(start: 21, tag: 1)
        try put(tables, key, [1, 2, 3])
        let table = try #require(FileBytes(tablePath))
        let slots = stride(from: 0, to: 8192, by: 256).filter { table.bytes[$0..<$0 + 32].elementsEqual(key) }
        #expect(slots == [21 * 256])
    }

    /// A slot torn by a power cut (half new, half old) or garbled by hand fails its checksum: no value, and said so.
    @Test(arguments: ["torn", "bit flip", "checksum", "zeros after the key"])
    func aDamagedSlotReadsAsAbsentAndDamaged(damage: String) throws {
        let tables = tables(), key = Self.key(start: 2, tag: 1)
        try put(tables, key, Array(repeating: 7, count: 100))
        var file = try #require(FileBytes(tablePath))
        let base = 2 * 256
        switch damage {
        case "torn": for i in base + 128..<base + 256 { file.bytes[i] = 0xee }
        case "bit flip": file.bytes[base + 60] ^= 0x10
        case "checksum": file.bytes[base + 250] ^= 1
        default: for i in base + 32..<base + 256 { file.bytes[i] = 0 }
        }
        try file.write()
        #expect(try get(tables, key) == SlotRead(value: nil, damaged: true))
        try put(tables, key, [9])
        #expect(try get(tables, key) == SlotRead(value: [9], damaged: false))
    }

    @Test func theChecksumOfAnEmptySlotIsNotZeroSoANeverWrittenSlotHoldsNothing() {
        #expect(Slot.checksum([UInt8](repeating: 0, count: Slot.checksumOffset)) != 0)
        #expect(!SlotBucket(bytes: [UInt8](repeating: 0, count: 8192)).intact(0))
    }

    /// Any change within one 8-byte word changes the checksum: each step of it is a bijection.
    @Test func everySingleByteChangeChangesTheChecksum() {
        let slot = Slot.encode(key: Self.key(tag: 1), deadAt: 5, value: Array(0..<200), length: 200, flags: 0)
        let sum = Slot.checksum(Array(slot[..<Slot.checksumOffset]))
        for index in 0..<Slot.checksumOffset {
            for bit in 0..<8 {
                var changed = Array(slot[..<Slot.checksumOffset])
                changed[index] ^= 1 << bit
                #expect(Slot.checksum(changed) != sum)
            }
        }
    }

    /// 33 live keys in one bucket: the table doubles (or more) and every key is still there, in a new file renamed
    /// over the old one; a second process that had the old table open sees the new one at its next transition.
    @Test func aFullPageGrowsTheTableAndAnotherHolderFollowsTheRename() throws {
        let writer = tables(), reader = tables()
        try put(reader, Self.key(bucket: 0, tag: 200), [200])
        var before = stat()
        #expect(stat(tablePath, &before) == 0)
        for tag in 0..<33 { try put(writer, Self.key(bucket: UInt64(tag), start: UInt8(tag % 3), tag: UInt8(tag)), [UInt8(tag)]) }
        var after = stat()
        #expect(stat(tablePath, &after) == 0 && after.st_ino != before.st_ino)
        #expect(fileSize(tablePath) == 2 * 8192)
        for tag in 0..<33 { #expect(try get(reader, Self.key(bucket: UInt64(tag), start: UInt8(tag % 3), tag: UInt8(tag))).value == [UInt8(tag)]) }
        #expect(try get(reader, Self.key(bucket: 0, tag: 200)).value == [200])
        // The reader writes to the new table, where the writer finds it.
        try put(reader, Self.key(bucket: 0, tag: 201), [201])
        #expect(try get(writer, Self.key(bucket: 0, tag: 201)).value == [201])
        #expect(access(tablePath + ".new", F_OK) != 0)
    }

    /// A rebuilt table leaves the dead behind, so a table sized for a flood holds only what still lives.
    @Test func aRebuildDropsDeadSlots() throws {
        let tables = tables(), dead = Self.key(tag: 1), live = Self.key(tag: 2), added = Self.key(tag: 3)
        try put(tables, dead, [1], deadAt: 1100)
        try put(tables, live, [2], deadAt: 5000)
        try tables.load([(key: added, value: [3], deadAt: 5000)], now: 1200)
        let table = try #require(FileBytes(tablePath)).bytes
        let keys = stride(from: 0, to: table.count, by: 256).map { Array(table[$0..<$0 + 32]) }
        #expect(!keys.contains(dead) && keys.contains(live) && keys.contains(added))
        #expect(try get(tables, live, now: 1200).value == [2] && get(tables, added, now: 1200).value == [3])
    }

    /// A value longer than a slot lives in a file of its own, which goes when the value shrinks back or is removed.
    @Test func aLongValueLivesInItsOwnFileUntilItFitsAgain() throws {
        let tables = tables(), key = Self.key(tag: 1)
        let long = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try put(tables, key, long)
        #expect(try get(tables, key) == SlotRead(value: long, damaged: false))
        let file = dir.path + "/store/t/o/" + key.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(fileSize(file) == 5000)
        // Garbled on disk: absent and damaged.
        #expect(system("printf x | dd of='\(file)' bs=1 seek=100 conv=notrunc 2>/dev/null") == 0)
        #expect(try get(tables, key) == SlotRead(value: nil, damaged: true))
        try put(tables, key, [1, 2])
        #expect(try get(tables, key).value == [1, 2])
        #expect(access(file, F_OK) != 0)
        try put(tables, key, long)
        try tables.update(key, now: 1000) { _ in ((), .remove, false) }
        #expect(access(file, F_OK) != 0)
    }

    /// `rewrite` writes the slot it would take as it was: nothing changes, nothing is added.
    @Test func aRewriteChangesNothing() throws {
        let tables = tables(), key = Self.key(tag: 1), other = Self.key(tag: 2)
        try put(tables, other, [5])
        let before = try #require(FileBytes(tablePath)).bytes
        try tables.update(key, now: 1000) { _ in ((), .rewrite([1, 2, 3], deadAt: 9999), false) }
        #expect(try #require(FileBytes(tablePath)).bytes == before)
        #expect(try get(tables, key).value == nil && get(tables, other).value == [5])
    }

    @Test func aHeldLockIsBusyAfterTheTimeout() throws {
        let tables = tables(), key = Self.key(tag: 1)
        try put(tables, key, [1])
        let holder = open(tablePath + ".lock", O_RDWR)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        #expect { try self.get(self.tables(), key) } throws: { ($0 as? TableFault)?.busy == true }
    }

    /// A lock file deleted while held: the next transition makes a new one and says so; one never there is no news.
    @Test func aDeletedLockFileIsMadeAgainAndLogged() throws {
        var lines: [String] = []
        let first = tables { lines.append($0) }, key = Self.key(tag: 1)
        try put(first, key, [1])
        #expect(lines.isEmpty)
        #expect(unlink(tablePath + ".lock") == 0)
        let second = tables { lines.append($0) }
        #expect(try get(second, key).value == [1])
        #expect(lines == ["lock file of shard ab was missing (deleted while in use?); creating a new one"])
        // The first process kept the old lock file open: it notices the name leads elsewhere now.
        #expect(try get(first, key).value == [1])
        #expect(lines.count == 2 && lines[1] == "lock file of shard ab was replaced while held; locking the new one")
    }

    /// Many writers at once, each with tables of its own (flock excludes open files, not processes: the end-to-end
    /// tests race real processes), each adding its own keys to one shard, forcing growth several times, and
    /// counting on one shared key: every key is there afterwards and the count is exact.
    @Test func manyWritersAddingAndCountingLoseNothing() throws {
        let tables = tables()
        let counter = Self.key(shard: 0xab, bucket: 7, tag: 255, owner: 255)
        let writers = 8, each = 40
        let failures = Counter(), storePath = dir.path + "/store"
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            let mine = SlotTables(root: open(storePath, O_RDONLY | O_DIRECTORY), syncCreations: false, lockTimeoutMilliseconds: 30_000, log: { _ in })
            for i in 0..<each {
                do {
                    try mine.update(Self.key(bucket: UInt64(i), start: UInt8(i % 32), tag: UInt8(i), owner: UInt8(writer)), now: 1000) { _ in
                        ((), .put([UInt8(writer)], deadAt: 5000), false)
                    }
                    try mine.update(counter, now: 1000) { read in
                        let count = read.value.map { Int($0[0]) | Int($0[1]) << 8 } ?? 0
                        return ((), .put([UInt8(truncatingIfNeeded: count + 1), UInt8(truncatingIfNeeded: (count + 1) >> 8)], deadAt: 5000), false)
                    }
                } catch { failures.add() }
            }
        }
        #expect(failures.value == 0)
        let count = try #require(try get(tables, counter).value)
        #expect(Int(count[0]) | Int(count[1]) << 8 == writers * each)
        for writer in 0..<writers {
            for i in 0..<each {
                #expect(try get(tables, Self.key(bucket: UInt64(i), start: UInt8(i % 32), tag: UInt8(i), owner: UInt8(writer))).value == [UInt8(writer)])
            }
        }
        // 8 keys for each of 40 bucket numbers fit 32 a bucket only from 16 buckets on (40 / 8 = 5 numbers a bucket).
        #expect(fileSize(tablePath) == 16 * 8192)
    }
}

/// A count several threads add to.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// A file's bytes, to damage and write back.
struct FileBytes {
    let path: String
    var bytes: [UInt8]

    init?(_ path: String) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let all = try? Syscall.readAll(fd, limit: 1 << 30) else { return nil }
        bytes = all
    }

    func write() throws {
        let fd = open(path, O_WRONLY)
        defer { close(fd) }
        try Syscall.write(fd, bytes, at: 0)
    }
}
