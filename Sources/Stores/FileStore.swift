// The default store: one small file per record in 256 shard directories, each guarded by its own lock file.
#if canImport(Glibc)
import Glibc
#endif
import Digests
import OTP
import Platform

/// Many short-lived processes share this directory. Every transition holds `flock(LOCK_EX)` on the shard's
/// `lock` file, which is never replaced or deleted (a rename would leave the lock on the old inode), re-reads
/// the record under the lock, and replaces it atomically: temp file, rename. A process killed at any instant
/// leaves the old record or the new one. Which replacements also wait for the disk (fsync of the file and of
/// the directory) is OTP_STORE_SYNC's to say: by default only a used-up code and the directories a power cut must not
/// undo. On NFS flock becomes an fcntl lock that closing any descriptor of the file drops, hence the separate file.
public final class FileStore: OTPStore {
    public let path: String
    private let lockTimeoutMilliseconds: Int
    private let log: (String) -> Void
    private let sweepOneIn: Int
    private let syncing: StoreSync
    private var rootFD: Int32 = -1
    /// `r/` and its shards, opened once: a FastCGI process keeps them, as it keeps the store directory, so a request
    /// opens only its lock and its files.
    private var recordsFD: Int32 = -1
    private lazy var shardFDs = [Int32](repeating: -1, count: 256)
    /// Temp names are this process's random prefix and a counter: unique among live writers, who each hold the
    /// shard's lock while theirs exists, and O_EXCL refuses a leftover of a dead one that happens to match.
    private lazy var tempStem = Self.tempPrefix + Random.hex(6) + "."
    private var tempCount = 0

    /// Record files are at most this big; anything larger is garbage.
    static let maxRecordBytes = 512
    /// An event log holds a time per counted event, up to 16 times the largest limit (an IPv6 /48's budget).
    static let maxLogBytes = 2 * 1024 * 1024
    /// A sweep looks at this many entries at most.
    static let sweepLimit = 4096
    static let tempPrefix = ".tmp."
    /// UTIME_OMIT from <sys/stat.h>, which the Glibc module does not export.
    private static let utimeOmit = (1 << 30) - 2

    /// A sweep of the shard runs with one issue in `sweepOneIn` (1 to 256). It reads the whole shard, so at 10^6
    /// records (about 4,000 a shard) one in 8 cost generate a quarter of its throughput, while one in 64 still
    /// bounds what is dead to about 64 writes a shard between sweeps.
    public init(path: String, lockTimeoutMilliseconds: Int = 2000, sweepOneIn: Int = 64, sync: StoreSync = .used,
                log: @escaping (String) -> Void = { _ in }) {
        self.path = path
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.sweepOneIn = min(max(sweepOneIn, 1), 256)
        self.syncing = sync
        self.log = log
    }

    deinit {
        for fd in shardFDs + [recordsFD, rootFD] where fd >= 0 { Glibc.close(fd) }
    }

    // MARK: OTPStore

    // A new code, a withdrawal and an event log are atomic but not synced by default: a power cut may lose one, and
    // then a user asks for a new code, or a send or a few attempts are forgotten once.

    public func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome {
        try transition(key, now: now, sweep: true) { Record.issue($0, codeMAC: codeMAC, policy: policy, now: now) }
    }

    /// A check answered 400 makes the same calls in the same order whether or not the identifier has a record,
    /// so that neither time nor side effects tell an unknown identifier from a wrong code: the record is read
    /// through a fresh link (made as an empty file when there is no record), and a record-sized temp file is
    /// written and renamed over the record (its attempt counted, or as it was), or over that link when there is
    /// none. A used-up code is the one write a power cut must not undo: it is
    /// synced unless OTP_STORE_SYNC=never.
    public func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome {
        try locked(key) { (shard, name, shardName) throws(StoreFault) in
            let link = tempName()
            defer { unlinkat(shard, link, 0) }
            let current = try readThroughLink(shard, name, link, shardName)
            let (outcome, next) = Record.check(current, codeMAC: codeMAC, policy: policy, now: now)
            try fault("write record in shard \(shardName)") { () throws(SystemError) in
                switch outcome {
                case .verified: try writeRecord(next, shard, name, durable: syncing != .never)
                case .wrong, .absent:
                    let kept = next ?? current
                    try replace(kept ?? Self.standIn, shard, kept == nil ? link : name, durable: syncing == .always)
                case .exhausted: break // answered 429, unlike either; nothing changes
                }
            }
            return outcome
        }
    }

    public func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault) {
        try transition(key, now: 0, sweep: false) { ((), Record.withdraw($0, codeMAC: codeMAC, restoring: previous)) }
    }

    /// An event log is synced only under OTP_STORE_SYNC=always: losing one to a power cut only forgets some counted
    /// events (a torn file reads as absent), and every generate and verify pays for these writes.
    public func take(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome {
        try logTransition(key, windowSeconds: windowSeconds) { EventLog.take($0, limit: limit, windowSeconds: windowSeconds, now: now) }
    }

    public func giveBack(_ key: RecordKey, at time: Int64, windowSeconds: Int) throws(StoreFault) {
        try logTransition(key, windowSeconds: windowSeconds) { ((), EventLog.giveBack($0, at: time)) }
    }

    // MARK: Transitions

    /// What an unknown identifier's check writes and throws away: as long as a live record.
    static let standIn = Record(codeMAC: [UInt8](repeating: 0, count: SHA256.digestSize), expiresAt: 0, attempts: 0, resendAt: 0)
    /// `standIn` as a file holds it, which an unknown identifier's check decodes as a wrong code's check decodes
    /// the record it read (checksum and all), so that the two cost the same work, not only the same calls.
    static let standInLine = Array("otp3 0000000000000000000000000000000000000000000000000000000000000000 0 0 0 7a5463a0aaeaaebc\n".utf8)

    private func transition<T>(_ key: RecordKey, now: Int64, sweep: Bool, _ rule: (Record?) -> (T, Record?)) throws(StoreFault) -> T {
        try locked(key) { (shard, name, shardName) throws(StoreFault) in
            let current: Record? = readFile(shard, name, shardName, limit: Self.maxRecordBytes)
            let (outcome, next) = rule(current)
            if next != current {
                try fault("write record in shard \(shardName)") { () throws(SystemError) in
                    try writeRecord(next, shard, name, durable: syncing == .always)
                }
            }
            if sweep && Int(Random.bytes(1)[0]) < 256 / sweepOneIn { self.sweep(shard, shardName, now: now) }
            return outcome
        }
    }

    /// The file of an event log dies (its mtime, for the sweep) when its last event leaves the window.
    private func logTransition<T>(_ key: RecordKey, windowSeconds: Int, _ rule: (EventLog?) -> (T, EventLog?)) throws(StoreFault) -> T {
        try locked(key) { (shard, name, shardName) throws(StoreFault) in
            let current: EventLog? = readFile(shard, name, shardName, limit: Self.maxLogBytes)
            let (outcome, next) = rule(current)
            if next != current {
                try fault("write event log in shard \(shardName)") { () throws(SystemError) in
                    if let next {
                        try replace(next.encoded(), dying: next.deadAt(windowSeconds: windowSeconds), shard, name, durable: syncing == .always)
                    } else {
                        try Syscall.unlink(in: shard, name, "event log")
                        if syncing == .always { try Syscall.fsync(shard, "shard") }
                    }
                }
            }
            return outcome
        }
    }

    /// Runs `body` with the record's shard open and its lock held: the shard, the record's name, the shard's name.
    private func locked<T>(_ key: RecordKey, _ body: (Int32, String, String) throws(StoreFault) -> T) throws(StoreFault) -> T {
        let shardName = String(key.hex.prefix(2)), name = String(key.hex.dropFirst(2))
        let (shard, fresh) = try openShard(shardName)
        let lock = try acquireLock(shard, shardName, fresh: fresh)
        defer { Glibc.close(lock) }
        return try body(shard, name, shardName)
    }

    /// Loads many records at once (benchmarks, migrations): each shard's lock is taken once, and one sync(2)
    /// makes the whole batch durable instead of two fsyncs per record. Existing records are replaced.
    public func load(_ records: [(RecordKey, Record)]) throws(StoreFault) {
        let byShard = Dictionary(grouping: records) { String($0.0.hex.prefix(2)) }
        for (shardName, batch) in byShard {
            let (shard, fresh) = try openShard(shardName)
            let lock = try acquireLock(shard, shardName, fresh: fresh)
            defer { Glibc.close(lock) }
            for (key, record) in batch {
                try fault("load record in shard \(shardName)") { () throws(SystemError) in
                    try writeRecord(record, shard, String(key.hex.dropFirst(2)), durable: false)
                }
            }
        }
        sync()
    }

    /// The shard's directory, kept open, and whether this call created it (so that its lock file is expected to
    /// be missing).
    private func openShard(_ shardName: String) throws(StoreFault) -> (Int32, Bool) {
        let digits = Array(shardName.utf8)
        guard digits.count == 2, let high = ASCII.hexValue(digits[0]), let low = ASCII.hexValue(digits[1]) else {
            throw StoreFault("no shard \(shardName)")
        }
        let index = Int(high) << 4 | Int(low)
        if shardFDs[index] >= 0 { return (shardFDs[index], false) }
        let root = try openRoot()
        return try fault("open shard \(shardName)") { () throws(SystemError) in
            if recordsFD < 0 { recordsFD = try openDirectory(in: root, "r", "store directory").fd }
            let (shard, fresh) = try openDirectory(in: recordsFD, shardName, "records directory")
            shardFDs[index] = shard
            return (shard, fresh)
        }
    }

    /// Opens a directory, first making it (synced into `parent`) when it is missing; whether this call made it.
    private func openDirectory(in parent: Int32, _ name: String, _ parentName: String) throws(SystemError) -> (fd: Int32, made: Bool) {
        do throws(SystemError) {
            return (try Syscall.openat(parent, name, O_RDONLY | O_DIRECTORY), false)
        } catch where error.errno == .noEntry {
            let made = try Syscall.makeDirectory(in: parent, name)
            if made { try syncCreation(parent, parentName) }
            return (try Syscall.openat(parent, name, O_RDONLY | O_DIRECTORY), made)
        }
    }

    private func tempName() -> String {
        tempCount += 1
        return tempStem + String(tempCount)
    }

    /// Non-blocking tries with jittered back-off up to a deadline, then "busy" (503) rather than a hang.
    /// After the lock is taken, the path must still name the locked inode: if someone deleted the lock file,
    /// a newcomer would lock a fresh one and two processes would both be inside.
    /// A lock file missing from a shard that existed was deleted (by hand, or by a cleaner of /var/tmp): it is
    /// made again and the log says so, as a process still holding the old one may be inside at the same time.
    private func acquireLock(_ shard: Int32, _ shardName: String, fresh: Bool) throws(StoreFault) -> Int32 {
        let deadline = Clock.monotonicMilliseconds() + Int64(lockTimeoutMilliseconds)
        var pause: Int64 = 1
        while true {
            let fd = try fault("open lock of shard \(shardName)") { () throws(SystemError) in
                do throws(SystemError) { return try Syscall.openat(shard, "lock", O_RDWR) } catch where error.errno == .noEntry {
                    if !fresh { log("lock file of shard \(shardName) was missing (deleted while in use?); creating a new one") }
                    let created = try Syscall.openat(shard, "lock", O_RDWR | O_CREAT)
                    do throws(SystemError) { try syncCreation(shard, "shard") } catch { Glibc.close(created); throw error }
                    return created
                }
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                var held = stat(), named = stat()
                if fstat(fd, &held) == 0 && fstatat(shard, "lock", &named, AT_SYMLINK_NOFOLLOW) == 0
                    && held.st_ino == named.st_ino && held.st_dev == named.st_dev {
                    return fd
                }
                log("lock file of shard \(shardName) was replaced while held; locking the new one")
                Glibc.close(fd)
                continue
            }
            let lockErrno = Errno.current
            Glibc.close(fd)
            guard lockErrno == .wouldBlock || lockErrno == .interrupted else {
                throw StoreFault("\(SystemError(call: "flock shard \(shardName)", errno: lockErrno))")
            }
            let now = Clock.monotonicMilliseconds()
            if now >= deadline { throw StoreFault("lock of shard \(shardName) not had within \(lockTimeoutMilliseconds) ms", busy: true) }
            let jitter = Int64(Random.bytes(1)[0]) * pause / 255
            Clock.sleep(milliseconds: min(pause + jitter, deadline - now))
            pause = min(pause * 2, 25)
        }
    }

    /// An unreadable or corrupt record or log counts as absent (and the next write replaces it), but is logged.
    private func readFile<Value: FileRecord>(_ shard: Int32, _ name: String, _ shardName: String, limit: Int) -> Value? {
        let fd: Int32
        do throws(SystemError) { fd = try Syscall.openat(shard, name, O_RDONLY) } catch {
            if error.errno != .noEntry { log("record in shard \(shardName) unreadable: \(error.errno)") }
            return nil
        }
        defer { Glibc.close(fd) }
        guard let bytes = try? Syscall.readAll(fd, limit: limit), let record = Value(decoding: bytes) else {
            log("record in shard \(shardName) is corrupt; treating it as absent")
            return nil
        }
        return record
    }

    /// The record one check reads, through a link made under a temp name: the same calls whether the record
    /// exists (linked, opened, read) or not (no link, an empty file created under that name, read).
    private func readThroughLink(_ shard: Int32, _ name: String, _ link: String, _ shardName: String) throws(StoreFault) -> Record? {
        let exists = try fault("link record in shard \(shardName)") { () throws(SystemError) in
            try Syscall.link(in: shard, name, to: link, "record")
        }
        let bytes: [UInt8]
        do throws(SystemError) {
            let fd = try Syscall.openat(shard, link, O_RDONLY | O_CREAT)
            defer { Glibc.close(fd) }
            bytes = try Syscall.readOnce(fd, upTo: Self.maxRecordBytes + 1)
        } catch {
            // Not a regular file (a symlink put there by hand): unreadable, as a damaged record is.
            log("record in shard \(shardName) unreadable: \(error.errno)")
            return nil
        }
        guard exists else {
            withExtendedLifetime(Record(decoding: Self.standInLine)) {}
            return nil
        }
        guard bytes.count <= Self.maxRecordBytes, let record = Record(decoding: bytes) else {
            log("record in shard \(shardName) is corrupt; treating it as absent")
            return nil
        }
        return record
    }

    /// Replaces the record, or removes it (nil); `durable` also waits for the disk.
    private func writeRecord(_ record: Record?, _ shard: Int32, _ name: String, durable: Bool) throws(SystemError) {
        guard let record else {
            try Syscall.unlink(in: shard, name, "record")
            if durable { try Syscall.fsync(shard, "shard") }
            return
        }
        try replace(record, shard, name, durable: durable)
    }

    private func replace(_ record: Record, _ shard: Int32, _ name: String, durable: Bool) throws(SystemError) {
        try replace(record.encoded(), dying: record.deadAt, shard, name, durable: durable)
    }

    /// Writes `bytes` to a temp file and renames it to `name`: a reader sees the old file or the new one, whole.
    private func replace(_ bytes: [UInt8], dying deadAt: Int64, _ shard: Int32, _ name: String, durable: Bool) throws(SystemError) {
        try AtomicFile.replace(in: shard, name, temp: tempName(), with: bytes, "record") { fd throws(SystemError) in
            // The file's mtime is when it dies, so a sweep needs a stat, not a read, to judge it.
            // A tuple, not an array: an array of timespec makes the runtime build its type in every process.
            var times = (timespec(tv_sec: 0, tv_nsec: Self.utimeOmit), timespec(tv_sec: Int(deadAt), tv_nsec: 0))
            _ = try withUnsafeBytes(of: &times) { pair throws(SystemError) in
                try Syscall.retrying("futimens") { futimens(fd, pair.baseAddress!.assumingMemoryBound(to: timespec.self)) }
            }
            if durable { try Syscall.fsync(fd, "record") }
        }
        if durable { try Syscall.fsync(shard, "shard") }
    }

    /// Removes dead records and the temp files of writers that died (any temp file seen while the shard's lock
    /// is held is not being written). Runs under the lock, bounded, and never fails the request.
    private func sweep(_ shard: Int32, _ shardName: String, now: Int64) {
        let dupe = dup(shard)
        guard dupe >= 0, let dir = fdopendir(dupe) else { if dupe >= 0 { Glibc.close(dupe) }; return }
        defer { closedir(dir) }
        // The duplicate shares the kept descriptor's offset, which the last sweep left at the end.
        rewinddir(dir)
        var seen = 0, removed = 0
        while seen < Self.sweepLimit, let entry = readdir(dir) {
            seen += 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." || name == "lock" { continue }
            var info = stat()
            guard fstatat(shard, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if name.hasPrefix(Self.tempPrefix) || Int64(info.st_mtim.tv_sec) <= now {
                if unlinkat(shard, name, 0) == 0 { removed += 1 }
            }
        }
        if removed > 0 && syncing == .always { try? Syscall.fsync(shard, "shard") }
    }

    // MARK: The directory

    /// Creates the store directory (0700) if missing, and refuses one that is a symlink, not ours, or open to
    /// other users: codes live there.
    private func openRoot() throws(StoreFault) -> Int32 {
        if rootFD >= 0 { return rootFD }
        let previous = umask(0o077)
        defer { umask(previous) }
        if mkdir(path, 0o700) == 0 {
            log("created the store directory \(path)")
            if syncing != .never {
                let parent = open(path.utf8.last == UInt8(ascii: "/") ? path + ".." : path + "/..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if parent >= 0 { _ = Glibc.fsync(parent); Glibc.close(parent) }
            }
        } else if errno != EEXIST {
            throw StoreFault("cannot create store directory \(path): \(Errno.current)")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let openErrno = Errno.current
            var info = stat()
            if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
                throw StoreFault("store directory \(path) is a symlink, which is refused; set OTP_STORE_DIR to the real directory")
            }
            throw StoreFault("cannot open store directory \(path): \(openErrno)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            Glibc.close(fd)
            // In a shared /var/tmp any local user can make the default directory first, and the service is
            // then refused its store: the log says who owns it and what to set instead.
            if info.st_uid != geteuid() {
                log("store directory \(path) is owned by uid \(info.st_uid), not by this process's uid \(geteuid())"
                    + (path == StoreSettings.defaultDirectory ? ": another local user may have created it first in the shared /var/tmp" : "")
                    + "; set OTP_STORE_DIR to a directory of the web server's user with mode 0700, such as /var/lib/otp-cgi")
            }
            throw StoreFault(misconfigured: "OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700")
        }
        rootFD = fd
        return fd
    }

    /// A directory or lock file just made is synced into its parent unless OTP_STORE_SYNC=never: a used-up code
    /// is only as durable as the directories that hold its record.
    private func syncCreation(_ parent: Int32, _ what: String) throws(SystemError) {
        if syncing != .never { try Syscall.fsync(parent, what) }
    }

    private func fault<T>(_ what: String, _ body: () throws(SystemError) -> T) throws(StoreFault) -> T {
        do { return try body() } catch { throw StoreFault("\(what): \(error)") }
    }
}
