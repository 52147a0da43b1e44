// The default store: records and event logs in slot tables (`SlotTables`) under one private directory.
#if canImport(Glibc)
import Glibc
#endif
import Digests
import OTP
import Platform

/// Many short-lived processes share this directory. Each transition is one `SlotTables.update`: the shard's lock,
/// one page read, the pure `Record` or `EventLog` rule, one slot written in place. A process killed at any instant
/// leaves each slot old or new (a torn one fails its checksum and reads as absent), and no lock held. Which writes
/// also wait for the disk is OTP_STORE_SYNC's to say: by default only a used-up code, so that it never comes back.
public final class FileStore: OTPStore {
    public let path: String
    private let lockTimeoutMilliseconds: Int
    private let log: (String) -> Void
    private let syncing: StoreSync
    private var rootFD: Int32 = -1
    private var opened: SlotTables?

    /// The directory of the layout before slot tables (one file per record in `r/XX/`), which this store does not
    /// read: each shard of it goes when that shard's table is made.
    static let oldLayoutDirectory = "r"

    public init(path: String, lockTimeoutMilliseconds: Int = 2000, sync: StoreSync = .used, log: @escaping (String) -> Void = { _ in }) {
        self.path = path
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.syncing = sync
        self.log = log
    }

    deinit {
        opened = nil
        if rootFD >= 0 { Syscall.release(rootFD) }
    }

    // MARK: OTPStore

    // A new code, a withdrawal and an event log are written in place but not synced by default: a power cut may
    // lose one, and then a user asks for a new code, or a send or a few attempts are forgotten once.

    public func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome {
        try transition(key, now: now, deadAt: \Record.deadAt) { Record.issue($0, codeMAC: codeMAC, policy: policy, now: now) }
    }

    /// A check answered 400 makes the same calls in the same order whether or not the identifier has a record, so
    /// that neither time nor side effects tell an unknown identifier from a wrong code: one page read, one slot
    /// written (the record with its attempt counted, or the slot it would take, as it was), and a record decoded
    /// and encoded either way. A used-up code is the one write a power cut must not undo: it is synced unless
    /// OTP_STORE_SYNC=never.
    public func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome {
        let shard = String(key.hex.prefix(2))
        return try update(key, now: now) { read in
            let current: Record? = decode(read, shard)
            if current == nil { withExtendedLifetime(Record(stored: Self.standInBytes)) {} }
            let (outcome, next) = Record.check(current, codeMAC: codeMAC, policy: policy, now: now)
            switch outcome {
            case .verified: return (outcome, .remove, syncing != .never)
            case .exhausted: return (outcome, .keep, false) // answered 429, unlike either; nothing changes
            case .wrong, .absent:
                if let kept = next ?? current { return (outcome, .put(kept.stored(), deadAt: kept.deadAt), syncing == .always) }
                return (outcome, .rewrite(Self.standIn.stored(), deadAt: Self.standIn.deadAt), syncing == .always)
            }
        }
    }

    public func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault) {
        try transition(key, now: 0, deadAt: \Record.deadAt) { ((), Record.withdraw($0, codeMAC: codeMAC, restoring: previous)) }
    }

    /// An event log is synced only under OTP_STORE_SYNC=always: losing one to a power cut only forgets some counted
    /// events, and every generate and verify pays for these writes.
    public func take(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome {
        try transition(key, now: now, deadAt: { $0.deadAt(windowSeconds: windowSeconds) }) {
            EventLog.take($0, limit: limit, windowSeconds: windowSeconds, now: now)
        }
    }

    public func giveBack(_ key: RecordKey, at time: Int64, windowSeconds: Int) throws(StoreFault) {
        try transition(key, now: 0, deadAt: { $0.deadAt(windowSeconds: windowSeconds) }) { ((), EventLog.giveBack($0, at: time)) }
    }

    /// Loads many records at once (benchmarks, migrations): each shard's table is rebuilt once, and one sync(2)
    /// makes the whole batch durable. Existing records are replaced.
    public func load(_ records: [(RecordKey, Record)]) throws(StoreFault) {
        var entries: [(key: [UInt8], value: [UInt8], deadAt: Int64)] = []
        for (key, record) in records { entries.append((try bytes(of: key), record.stored(), record.deadAt)) }
        let tables = try tables()
        do throws(TableFault) { try tables.load(entries, now: Clock.unixSeconds()) } catch { throw StoreFault(error.description, busy: error.busy) }
        Syscall.syncAll()
    }

    // MARK: Transitions

    /// What an unknown identifier's check encodes and throws away: as long as a live record.
    static let standIn = Record(codeMAC: [UInt8](repeating: 0, count: SHA256.digestSize), expiresAt: 0, attempts: 0, resendAt: 0)
    /// `standIn` as a slot holds it, which an unknown identifier's check decodes as a wrong code's check decodes
    /// the record it read, so that the two cost the same work, not only the same calls.
    static let standInBytes = standIn.stored()

    private func transition<Value: StoredValue, T>(_ key: RecordKey, now: Int64, deadAt: (Value) -> Int64,
                                                   _ rule: (Value?) -> (T, Value?)) throws(StoreFault) -> T {
        let shard = String(key.hex.prefix(2))
        return try update(key, now: now) { read in
            let current: Value? = decode(read, shard)
            let (outcome, next) = rule(current)
            guard next != current else { return (outcome, .keep, false) }
            guard let next else { return (outcome, .remove, syncing == .always) }
            return (outcome, .put(next.stored(), deadAt: deadAt(next)), syncing == .always)
        }
    }

    private func update<T>(_ key: RecordKey, now: Int64, _ decide: (SlotRead) -> (T, SlotChange, durable: Bool)) throws(StoreFault) -> T {
        let bytes = try bytes(of: key), tables = try tables()
        do throws(TableFault) { return try tables.update(bytes, now: now, decide) } catch { throw StoreFault(error.description, busy: error.busy) }
    }

    /// A damaged slot, or one that holds something else, reads as absent (and the next write replaces it), but is logged.
    private func decode<Value: StoredValue>(_ read: SlotRead, _ shard: String) -> Value? {
        if let bytes = read.value, let value = Value(stored: bytes) { return value }
        if read.damaged || read.value != nil { log("record in shard \(shard) is corrupt; treating it as absent") }
        return nil
    }

    private func bytes(of key: RecordKey) throws(StoreFault) -> [UInt8] {
        guard key.mac.count == Slot.keySize else { throw StoreFault("no record key \(key.hex)") }
        return key.mac
    }

    private func tables() throws(StoreFault) -> SlotTables {
        if let opened { return opened }
        let root = try openRoot()
        let tables = SlotTables(root: root, syncCreations: syncing != .never, lockTimeoutMilliseconds: lockTimeoutMilliseconds,
                                log: log, made: { [unowned self] in dropOldLayout(shard: $0) })
        opened = tables
        return tables
    }

    // MARK: The directory

    /// Removes the old layout's shard as its table is made: what an upgrade drops is the codes in flight and
    /// the windows' counts, and a shard left unused keeps its old files until `generate --check` names them.
    private func dropOldLayout(shard: String) {
        let old = Self.oldLayoutDirectory + "/" + shard
        guard let names = try? Syscall.names(in: rootFD, old) else { return }
        for name in names { try? Syscall.unlink(in: rootFD, old + "/" + name, "old record") }
        try? Syscall.removeDirectory(in: rootFD, old)
        do throws(SystemError) {
            try Syscall.removeDirectory(in: rootFD, Self.oldLayoutDirectory)
            log("removed the last shard of the old store layout (\(path)/\(Self.oldLayoutDirectory)); its codes and counts were dropped")
        } catch {}
    }

    /// Creates the store directory (0700) if missing, and refuses one that is a symlink, not ours, or open to
    /// other users: codes live there. It is opened first, and made only when that finds nothing.
    private func openRoot() throws(StoreFault) -> Int32 {
        if rootFD >= 0 { return rootFD }
        let fd: Int32
        do throws(SystemError) {
            fd = try Syscall.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        } catch where error.errno == .noEntry {
            do throws(SystemError) {
                if try Syscall.makeDirectory(path) {
                    log("created the store directory \(path)")
                    if syncing != .never, let parent = try? Syscall.open(path.utf8.last == UInt8(ascii: "/") ? path + ".." : path + "/..", O_RDONLY | O_DIRECTORY) {
                        try? Syscall.fsync(parent, "parent of the store directory")
                        Syscall.release(parent)
                    }
                }
            } catch {
                throw StoreFault("cannot create store directory \(path): \(error.errno)")
            }
            fd = try openMade()
        } catch {
            try refuse(error)
        }
        let info = try? Syscall.status(fd, "store directory"), user = Syscall.effectiveUserID()
        guard let info, info.st_uid == user, info.st_mode & 0o077 == 0 else {
            Syscall.release(fd)
            // In a shared /var/tmp any local user can make the default directory first, and the service is
            // then refused its store: the log says who owns it and what to set instead.
            if let info, info.st_uid != user {
                log("store directory \(path) is owned by uid \(info.st_uid), not by this process's uid \(user)"
                    + (path == StoreSettings.defaultDirectory ? ": another local user may have created it first in the shared /var/tmp" : "")
                    + "; set OTP_STORE_DIR to a directory of the web server's user with mode 0700, such as /var/lib/otp-cgi")
            }
            throw StoreFault(misconfigured: "OTP_STORE_DIR must be a directory owned by the web server's user with mode 0700")
        }
        rootFD = fd
        return fd
    }

    /// The store directory this process has just made (or another one, in the same instant).
    private func openMade() throws(StoreFault) -> Int32 {
        do throws(SystemError) { return try Syscall.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) } catch { try refuse(error) }
    }

    /// Why the store directory cannot be opened, in words an operator can act on.
    private func refuse(_ error: SystemError) throws(StoreFault) -> Never {
        if let info = try? Syscall.status(in: AT_FDCWD, path), info.st_mode & S_IFMT == S_IFLNK {
            throw StoreFault("store directory \(path) is a symlink, which is refused; set OTP_STORE_DIR to the real directory")
        }
        throw StoreFault("cannot open store directory \(path): \(error.errno)")
    }
}
