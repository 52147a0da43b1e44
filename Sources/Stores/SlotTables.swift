// Tables of fixed-size slots, one file per shard, each shard behind a lock file of its own: the file store's
// mechanism, which knows keys, bytes and files but nothing of codes.
#if canImport(Glibc)
import Glibc
#endif
import Platform

/// What a transition found under its key.
public struct SlotRead: Equatable, Sendable {
    /// The value, or nil when the key holds none: never written, emptied, dead, or damaged.
    public let value: [UInt8]?
    /// The key's slot, or the file of its long value, was there but torn or garbled.
    public let damaged: Bool
}

/// What a transition does to its key's slot.
public enum SlotChange: Sendable {
    case keep
    /// Writes the value, live until `deadAt` (Unix seconds): after that its slot is free for another key.
    case put([UInt8], deadAt: Int64)
    case remove
    /// Encodes a slot as `put` would, then writes the slot the key holds (or would take) back as it was: the same
    /// calls and nearly the same work as a `put`, and no change.
    case rewrite([UInt8], deadAt: Int64)
}

/// A failure of the tables' machinery: its text names files and errnos, so it goes to the error log only.
public struct TableFault: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// A lock not had in time: may work again on its own.
    public let busy: Bool
}

/// A key's first byte picks its shard; in the directory `t/` each shard has `XX.lock`, never replaced or removed
/// (on NFS flock becomes an fcntl lock, which closing any descriptor of the file drops, and a lock on a file that
/// rename replaces stays with the old inode), and `XX`, its table: buckets of two 4 KiB pages, 32 slots of 256
/// bytes. The next eight bytes pick a bucket, and a key lives in that bucket only: a lookup is one `pread` of one
/// bucket, found or not, and a change one `pwrite` of one slot, which never crosses a page. A transition holds
/// the shard's lock throughout. A bucket whose 32 slots are all live makes the table grow: a table twice as large
/// (or more, until every bucket has room) is written beside it and renamed over it, and a process that kept the
/// old one open sees that the name leads to another inode. A bucket rather than a page, because a table grows at
/// its first full bucket: 16 slots would fill one at a third of the table's slots, 32 at about two thirds.
/// A value longer than a slot lives in `t/o/<key in hex>`, written to a temp name and renamed.
public final class SlotTables {
    public static let directoryName = "t"
    static let initialBuckets = 1
    /// 4 GiB a shard: beyond that a table refuses new keys rather than fill the disk.
    static let maxBuckets = 1 << 19
    /// A long value's file; anything larger is garbage.
    static let maxValueBytes = 4 << 20

    private let root: Int32
    private let syncCreations: Bool
    private let lockTimeoutMilliseconds: Int
    private let log: (String) -> Void
    private let made: (String) -> Void
    private var shards = [ShardFiles](repeating: ShardFiles(), count: 256)

    /// `root` is the store's directory, kept open. `syncCreations`: directories, lock files, new tables and grown
    /// ones wait for the disk (a grown table that a power cut took back would bring back what was used in it).
    /// `made` runs under a shard's lock when its table is made, with the shard's name.
    public init(root: Int32, syncCreations: Bool, lockTimeoutMilliseconds: Int, log: @escaping (String) -> Void,
                made: @escaping (String) -> Void = { _ in }) {
        self.root = root
        self.syncCreations = syncCreations
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.log = log
        self.made = made
    }

    deinit {
        for shard in shards {
            if shard.table >= 0 { Syscall.release(shard.table) }
            if shard.lock >= 0 { Syscall.release(shard.lock) }
        }
    }

    /// Reads `key`'s slot under its shard's lock, lets `decide` say what becomes of it, and writes that; `durable`
    /// waits for the disk (`fdatasync` of the table). `key` is 32 bytes of a keyed hash: its bytes must be uniform.
    public func update<T>(_ key: [UInt8], now: Int64, _ decide: (SlotRead) -> (T, SlotChange, durable: Bool)) throws(TableFault) -> T {
        precondition(key.count == Slot.keySize)
        let index = Int(key[0]), name = Self.shardName(index)
        try lock(index, name)
        defer { Syscall.unlock(shards[index].lock) }
        return try fault("table of shard \(name)") { () throws(SystemError) in
            try openTable(index, name)
            let table = shards[index].table, offset = Int64(Self.bucket(of: key, buckets: shards[index].buckets) * Slot.bucketSize)
            let bucket = SlotBucket(bytes: Self.padded(try Syscall.read(table, upTo: Slot.bucketSize, at: offset), to: Slot.bucketSize))
            let start = Int(key[9]) % Slot.perBucket
            var held: Int?, free: Int?
            for step in 0..<Slot.perBucket {
                let slot = (start + step) % Slot.perBucket
                if bucket.holds(key, at: slot) { held = slot; break }
                if free == nil && bucket.deadAt(slot) <= now { free = slot }
            }
            var read = SlotRead(value: nil, damaged: false)
            if let held {
                if !bucket.intact(held) {
                    read = SlotRead(value: nil, damaged: true)
                } else if bucket.deadAt(held) > now {
                    read = bucket.flags(held) & Slot.elsewhere != 0 ? readElsewhere(key, bucket, held) : SlotRead(value: bucket.value(held), damaged: false)
                }
            }
            let (outcome, change, durable) = decide(read)
            switch change {
            case .keep: break
            case .put(let value, let deadAt):
                try put(value, deadAt: deadAt, key, index, name, bucket: bucket, at: offset, slot: held ?? free, now: now, durable: durable)
            case .remove:
                guard let held else { break }
                try Syscall.write(table, Slot.empty, at: offset + Int64(bucket.base(held)))
                if durable { try Syscall.syncData(table, "table") }
                if bucket.flags(held) & Slot.elsewhere != 0 { try? Syscall.unlink(in: root, Self.elsewherePath(key), "long value") }
            case .rewrite(let value, let deadAt):
                let slot = held ?? free ?? start
                withExtendedLifetime(Slot.encode(key: key, deadAt: deadAt, value: value, length: value.count, flags: 0)) {}
                try Syscall.write(table, bucket.slot(slot), at: offset + Int64(bucket.base(slot)))
                if durable { try Syscall.syncData(table, "table") }
            }
            return outcome
        }
    }

    /// Writes many values at once (benchmarks, migrations), each shard's table rebuilt once under its lock; the
    /// caller syncs. Values must fit a slot.
    public func load(_ entries: [(key: [UInt8], value: [UInt8], deadAt: Int64)], now: Int64) throws(TableFault) {
        let byShard = Dictionary(grouping: entries) { Int($0.key[0]) }
        for (index, batch) in byShard {
            let name = Self.shardName(index)
            try lock(index, name)
            defer { Syscall.unlock(shards[index].lock) }
            try fault("load table of shard \(name)") { () throws(SystemError) in
                try openTable(index, name)
                try rebuild(index, name, adding: batch.map { Slot.encode(key: $0.key, deadAt: $0.deadAt, value: $0.value, length: $0.value.count, flags: 0) },
                            now: now, durable: false)
            }
        }
    }

    // MARK: Writing

    private func put(_ value: [UInt8], deadAt: Int64, _ key: [UInt8], _ index: Int, _ name: String, bucket: SlotBucket, at offset: Int64,
                     slot found: Int?, now: Int64, durable: Bool) throws(SystemError) {
        // A bucket full of live slots may still hold a torn one, which is free.
        let slot = found ?? (0..<Slot.perBucket).first { !bucket.intact($0) }
        let long = value.count > Slot.capacity
        if long { try writeElsewhere(key, value, durable: durable) }
        let bytes = long
            ? Slot.encode(key: key, deadAt: deadAt, value: withUnsafeBytes(of: Slot.checksum(value).littleEndian, Array.init), length: value.count,
                          flags: Slot.elsewhere)
            : Slot.encode(key: key, deadAt: deadAt, value: value, length: value.count, flags: 0)
        guard let slot else { return try rebuild(index, name, adding: [bytes], now: now, durable: syncCreations) }
        try Syscall.write(shards[index].table, bytes, at: offset + Int64(bucket.base(slot)))
        if durable { try Syscall.syncData(shards[index].table, "table") }
        // The slot's last holder may have kept a long value in a file of its own, which nothing names any more.
        if bucket.flags(slot) & Slot.elsewhere != 0 && bucket.intact(slot) && !(long && bucket.holds(key, at: slot)) {
            try? Syscall.unlink(in: root, Self.elsewherePath(bucket.key(slot)), "long value")
        }
    }

    /// A value longer than a slot, in a file of its own, whole or absent. The temp name is the key's, and a killed
    /// writer's leftover of it is removed first: under the shard's lock no one else writes it.
    private func writeElsewhere(_ key: [UInt8], _ value: [UInt8], durable: Bool) throws(SystemError) {
        let path = Self.elsewherePath(key), temp = path + ".new"
        let finish = { (fd: Int32) throws(SystemError) in if durable { try Syscall.fsync(fd, "long value") } }
        try Syscall.unlink(in: root, temp, "long value")
        do throws(SystemError) {
            try AtomicFile.replace(in: root, path, temp: temp, with: value, "long value", finish: finish)
        } catch where error.errno == .noEntry {
            if try Syscall.makeDirectory(in: root, Self.directoryName + "/o") { try syncDirectory(Self.directoryName) }
            try AtomicFile.replace(in: root, path, temp: temp, with: value, "long value", finish: finish)
        }
        if durable { try syncDirectory(Self.directoryName + "/o") }
    }

    private func readElsewhere(_ key: [UInt8], _ bucket: SlotBucket, _ slot: Int) -> SlotRead {
        guard let fd = try? Syscall.openat(root, Self.elsewherePath(key), O_RDONLY) else { return SlotRead(value: nil, damaged: true) }
        defer { Syscall.release(fd) }
        let expected = bucket.value(slot)
        guard let bytes = try? Syscall.readAll(fd, limit: Self.maxValueBytes), bytes.count == bucket.length(slot),
              withUnsafeBytes(of: Slot.checksum(bytes).littleEndian, Array.init) == Array(expected.prefix(8)) else {
            return SlotRead(value: nil, damaged: true)
        }
        return SlotRead(value: bytes, damaged: false)
    }

    /// Writes the shard's live slots and `adding` (which replace slots of the same keys) into a new table of at
    /// least the current size, doubled until every bucket has room, and renames it over the old one. Dead slots
    /// stay behind, and the files of their long values go. A growth killed midway leaves at most `XX.new`, which
    /// the next one removes.
    private func rebuild(_ index: Int, _ name: String, adding: [[UInt8]], now: Int64, durable: Bool) throws(SystemError) {
        let buckets = shards[index].buckets
        let whole = SlotBucket(bytes: Self.padded(try Syscall.read(shards[index].table, upTo: buckets * Slot.bucketSize, at: 0), to: buckets * Slot.bucketSize))
        let replaced = Set(adding.map { Array($0.prefix(Slot.keySize)) })
        var slots: [[UInt8]] = [], orphans: [[UInt8]] = []
        for slot in 0..<buckets * Slot.perBucket where whole.intact(slot) {
            let key = whole.key(slot)
            if replaced.contains(key) { continue }
            if whole.deadAt(slot) > now {
                slots.append(whole.slot(slot))
            } else if whole.flags(slot) & Slot.elsewhere != 0 {
                orphans.append(key)
            }
        }
        slots += adding
        var size = buckets, layout: [UInt8]?
        while true {
            layout = Self.layout(slots, buckets: size)
            if layout != nil { break }
            size *= 2
            guard size <= Self.maxBuckets else { throw SystemError(call: "grow table of shard \(name)", errno: Errno(EFBIG)) }
        }
        let path = Self.tablePath(name), temp = path + ".new"
        try Syscall.unlink(in: root, temp, "table")
        try AtomicFile.replace(in: root, path, temp: temp, with: layout!, "table") { fd throws(SystemError) in
            if durable { try Syscall.fsync(fd, "table") }
        }
        if durable { try syncDirectory(Self.directoryName) }
        // The next transition opens the new table, as another process that kept the old one would.
        Syscall.release(shards[index].table)
        shards[index].table = -1
        for key in orphans { try? Syscall.unlink(in: root, Self.elsewherePath(key), "long value") }
    }

    /// The buckets of a table of `buckets` holding `slots`, or nil when some bucket would need more than it has.
    static func layout(_ slots: [[UInt8]], buckets: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: buckets * Slot.bucketSize)
        var used = [UInt8](repeating: 0, count: buckets * Slot.perBucket)
        for slot in slots {
            let key = Array(slot.prefix(Slot.keySize)), bucket = Self.bucket(of: key, buckets: buckets), start = Int(key[9]) % Slot.perBucket
            guard let free = (0..<Slot.perBucket).lazy.map({ (start + $0) % Slot.perBucket }).first(where: { used[bucket * Slot.perBucket + $0] == 0 }) else {
                return nil
            }
            used[bucket * Slot.perBucket + free] = 1
            let base = bucket * Slot.bucketSize + free * Slot.size
            bytes.replaceSubrange(base..<base + Slot.size, with: slot)
        }
        return bytes
    }

    // MARK: Files

    /// Opens the shard's table under its lock, or makes it (one bucket of empty slots). A table kept open from an
    /// earlier transition is kept only while its name still leads to it: another process may have grown it.
    private func openTable(_ index: Int, _ name: String) throws(SystemError) {
        let path = Self.tablePath(name)
        if shards[index].table >= 0 {
            do throws(SystemError) {
                if FileID(try Syscall.status(in: root, path)) == shards[index].tableID { return }
            } catch where error.errno == .noEntry {}
            Syscall.release(shards[index].table)
            shards[index].table = -1
        }
        var fresh = false
        let fd: Int32
        do throws(SystemError) {
            fd = try openKept(index, path, O_RDWR)
        } catch where error.errno == .noEntry {
            fd = try openKept(index, path, O_RDWR | O_CREAT)
            fresh = true
        }
        do throws(SystemError) {
            var info = try Syscall.status(fd, "table")
            if info.st_size < Slot.bucketSize {
                if !fresh { log("table of shard \(name) was empty or cut short; starting it afresh") }
                try Syscall.truncate(fd, to: Int64(Self.initialBuckets * Slot.bucketSize), "table")
                if syncCreations {
                    try Syscall.fsync(fd, "table")
                    try syncDirectory(Self.directoryName)
                }
                info.st_size = off_t(Self.initialBuckets * Slot.bucketSize)
                made(name)
            }
            shards[index].table = fd
            shards[index].tableID = FileID(info)
            shards[index].buckets = Int(info.st_size) / Slot.bucketSize
        } catch {
            Syscall.release(fd)
            throw error
        }
    }

    /// Non-blocking tries with jittered back-off up to a deadline, then "busy" rather than a hang. Once the lock
    /// is had, its name must still lead to the locked inode: had someone deleted the file, a newcomer would lock a
    /// new one and two processes would both be inside.
    private func lock(_ index: Int, _ name: String) throws(TableFault) {
        var deadline: Int64?
        var pause: Int64 = 1
        while true {
            if shards[index].lock < 0 { try openLock(index, name) }
            let fd = shards[index].lock
            if try fault("flock shard \(name)", { () throws(SystemError) in try Syscall.tryLock(fd, "shard \(name)") }) {
                do throws(SystemError) {
                    if FileID(try Syscall.status(in: root, Self.lockPath(name))) == shards[index].lockID { return }
                    log("lock file of shard \(name) was replaced while held; locking the new one")
                } catch where error.errno == .noEntry {
                    // Opening it again makes it again, and says so.
                } catch {
                    Syscall.unlock(fd)
                    throw TableFault(description: "lock of shard \(name): \(error)", busy: false)
                }
                Syscall.release(fd)
                shards[index].lock = -1
                continue
            }
            let now = Clock.monotonicMilliseconds(), end = deadline ?? now + Int64(lockTimeoutMilliseconds)
            deadline = end
            if now >= end { throw TableFault(description: "lock of shard \(name) not had within \(lockTimeoutMilliseconds) ms", busy: true) }
            let jitter = Int64(Random.bytes(1)[0]) * pause / 255
            Clock.sleep(milliseconds: min(pause + jitter, end - now))
            pause = min(pause * 2, 25)
        }
    }

    /// A lock file missing where the shard's table exists was deleted (by hand, or by a cleaner of /var/tmp): it
    /// is made again and the log says so, as a process still holding the old one may be inside at the same time.
    private func openLock(_ index: Int, _ name: String) throws(TableFault) {
        try fault("open lock of shard \(name)") { () throws(SystemError) in
            let path = Self.lockPath(name)
            var fd: Int32
            do throws(SystemError) {
                fd = try openKept(index, path, O_RDWR)
            } catch where error.errno == .noEntry {
                if try Syscall.makeDirectory(in: root, Self.directoryName), syncCreations { try Syscall.fsync(root, "store directory") }
                if (try? Syscall.status(in: root, Self.tablePath(name))) != nil {
                    log("lock file of shard \(name) was missing (deleted while in use?); creating a new one")
                }
                fd = try openKept(index, path, O_RDWR | O_CREAT)
                do throws(SystemError) { try syncDirectory(Self.directoryName) } catch { Syscall.release(fd); throw error }
            }
            do throws(SystemError) {
                shards[index].lockID = FileID(try Syscall.status(fd, "lock"))
            } catch {
                Syscall.release(fd)
                throw error
            }
            shards[index].lock = fd
        }
    }

    /// Opens a file this process keeps open. One that runs out of descriptors (a FastCGI responder keeps up to two
    /// a shard for each store it serves) lets go of the other shards' and tries once more.
    private func openKept(_ index: Int, _ path: String, _ flags: Int32) throws(SystemError) -> Int32 {
        do throws(SystemError) {
            return try Syscall.openat(root, path, flags)
        } catch where error.errno == Errno(EMFILE) || error.errno == Errno(ENFILE) {
            for other in shards.indices where other != index {
                if shards[other].table >= 0 { Syscall.release(shards[other].table) }
                if shards[other].lock >= 0 { Syscall.release(shards[other].lock) }
                shards[other] = ShardFiles()
            }
            return try Syscall.openat(root, path, flags)
        }
    }

    private func syncDirectory(_ path: String) throws(SystemError) {
        guard syncCreations else { return }
        let fd = try Syscall.openat(root, path, O_RDONLY | O_DIRECTORY)
        defer { Syscall.release(fd) }
        try Syscall.fsync(fd, path)
    }

    private func fault<T>(_ what: String, _ body: () throws(SystemError) -> T) throws(TableFault) -> T {
        do { return try body() } catch { throw TableFault(description: "\(what): \(error)", busy: false) }
    }

    // MARK: Names and places

    static func shardName(_ index: Int) -> String { Hex.encode([UInt8(index)]) }
    static func lockPath(_ shard: String) -> String { directoryName + "/" + shard + ".lock" }
    static func tablePath(_ shard: String) -> String { directoryName + "/" + shard }
    static func elsewherePath(_ key: [UInt8]) -> String { directoryName + "/o/" + Hex.encode(key) }

    /// The bucket a key lives in: its bytes 1 to 8 (byte 0 chose the shard) modulo the table's buckets.
    static func bucket(of key: [UInt8], buckets: Int) -> Int {
        var number: UInt64 = 0
        for byte in key[1..<9] { number = number << 8 | UInt64(byte) }
        return Int(number % UInt64(buckets))
    }

    /// A file read short (cut by hand) reads as empty slots past its end.
    private static func padded(_ bytes: [UInt8], to count: Int) -> [UInt8] {
        bytes.count >= count ? bytes : bytes + [UInt8](repeating: 0, count: count - bytes.count)
    }
}

/// The descriptors one process keeps for a shard.
private struct ShardFiles {
    var lock: Int32 = -1
    var lockID = FileID()
    var table: Int32 = -1
    var tableID = FileID()
    var buckets = 0
}

/// What tells two files apart: the name may lead to another inode than the descriptor holds.
struct FileID: Equatable {
    var device: UInt64 = 0
    var inode: UInt64 = 0
    init() {}
    init(_ info: stat) { device = UInt64(info.st_dev); inode = UInt64(info.st_ino) }
}
