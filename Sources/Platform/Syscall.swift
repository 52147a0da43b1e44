// The system calls the service makes, each wrapped once: each wrapper retries EINTR, and a failure is a typed error
// that names the call. The corresponding C functions are named in each doc comment. Code that calls poll, recv,
// connect or nanosleep itself (the FastCGI record reader, the Redis connect, `Clock.sleep`) handles EINTR where it
// is, since there a signal may mean "stop" (SIGTERM) or time already spent.
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what was called (and on what), and the errno it left.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Errno

    public init(call: String, errno: Errno) { self.call = call; self.errno = errno }

    public var description: String { "\(call): \(errno)" }
}

/// An errno value with its text (`strerror`), so that no other file turns one into words.
public struct Errno: Equatable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's errno, read right after the call that failed.
    public static var current: Errno { Errno(Glibc.errno) }

    public var description: String { String(cString: strerror(rawValue)) }

    public static let interrupted = Errno(EINTR)
    public static let noEntry = Errno(ENOENT)
    public static let exists = Errno(EEXIST)
    public static let wouldBlock = Errno(EWOULDBLOCK)
    public static let connectionAborted = Errno(ECONNABORTED)
    public static let notEmpty = Errno(ENOTEMPTY)
}

public enum Syscall {
    /// Runs `body` until it stops failing with EINTR; any other failure (-1) becomes a `SystemError`.
    @discardableResult
    public static func retrying<T: BinaryInteger>(_ call: String, _ body: () -> T) throws(SystemError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            if errno != EINTR { throw SystemError(call: call, errno: .current) }
        }
    }

    /// `openat`, always close-on-exec and never following a symlink in the last component.
    public static func openat(_ dir: Int32, _ name: String, _ flags: Int32, _ mode: mode_t = 0o600) throws(SystemError) -> Int32 {
        try retrying("open \(name)") { Glibc.openat(dir, name, flags | O_CLOEXEC | O_NOFOLLOW, mode) }
    }

    /// `write` (or `send` with MSG_NOSIGNAL on a socket, so that a peer that went away costs an EPIPE rather
    /// than a SIGPIPE that would kill the process) until every byte is written.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], socket: Bool = false) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            offset += try retrying(socket ? "send" : "write") {
                bytes.withUnsafeBytes { raw in
                    socket ? Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                        : Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                }
            }
        }
    }

    /// `read` until `count` bytes or end of file.
    public static func read(_ fd: Int32, upTo count: Int) throws(SystemError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try retrying("read") { out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) } }
            if n == 0 { break }
            filled += n
        }
        out.removeLast(count - filled)
        return out
    }

    /// One `read` of up to `count` bytes (EINTR retried): a regular file smaller than `count` arrives whole, and
    /// a caller that must make the same calls whatever the file holds stops here rather than read again for EOF.
    public static func readOnce(_ fd: Int32, upTo count: Int) throws(SystemError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = try retrying("read") { out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) } }
        out.removeLast(count - n)
        return out
    }

    /// Reads to end of file, refusing more than `limit` bytes (nil): the files read this way are small.
    public static func readAll(_ fd: Int32, limit: Int) throws(SystemError) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = try retrying("read") { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if n == 0 { return out }
            out += chunk[..<n]
            if out.count > limit { return nil }
        }
    }

    /// `close`, checked: after writes a failed close can mean lost data (NFS reports write errors here). EINTR
    /// is not retried, as Linux has closed the descriptor already.
    public static func close(_ fd: Int32) throws(SystemError) {
        if Glibc.close(fd) == -1 && errno != EINTR { throw SystemError(call: "close", errno: .current) }
    }

    /// `fsync` of a file or a directory.
    public static func fsync(_ fd: Int32, _ what: String) throws(SystemError) {
        try retrying("fsync \(what)") { Glibc.fsync(fd) }
    }

    /// `renameat` within one directory.
    public static func rename(in dir: Int32, _ from: String, to: String, _ what: String) throws(SystemError) {
        try retrying("rename \(what)") { renameat(dir, from, dir, to) }
    }

    /// `linkat` within one directory, never following a symlink; false when `from` does not exist.
    public static func link(in dir: Int32, _ from: String, to: String, _ what: String) throws(SystemError) -> Bool {
        if linkat(dir, from, dir, to, 0) == 0 { return true }
        if errno == ENOENT { return false }
        throw SystemError(call: "link \(what)", errno: .current)
    }

    /// `unlinkat`; a name already gone is not a failure.
    public static func unlink(in dir: Int32, _ name: String, _ what: String) throws(SystemError) {
        if unlinkat(dir, name, 0) != 0 && errno != ENOENT { throw SystemError(call: "unlink \(what)", errno: .current) }
    }

    /// `mkdirat`; whether this call made the directory (false: it existed).
    @discardableResult
    public static func makeDirectory(in dir: Int32, _ name: String, mode: mode_t = 0o700) throws(SystemError) -> Bool {
        if mkdirat(dir, name, mode) == 0 { return true }
        if errno != EEXIST { throw SystemError(call: "mkdir \(name)", errno: .current) }
        return false
    }

    /// `open` of an absolute path, always close-on-exec.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o600) throws(SystemError) -> Int32 {
        try retrying("open \(path)") { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// `mkdir` of an absolute path; whether this call made the directory (false: it existed).
    public static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SystemError) -> Bool {
        if mkdir(path, mode) == 0 { return true }
        if errno != EEXIST { throw SystemError(call: "mkdir \(path)", errno: .current) }
        return false
    }

    /// `fstat`.
    public static func status(_ fd: Int32, _ what: String) throws(SystemError) -> stat {
        var info = stat()
        try retrying("fstat \(what)") { fstat(fd, &info) }
        return info
    }

    /// `fstatat` without following a symlink in the last component (`lstat` for an absolute path).
    public static func status(in dir: Int32, _ name: String) throws(SystemError) -> stat {
        var info = stat()
        try retrying("stat \(name)") { fstatat(dir, name, &info, AT_SYMLINK_NOFOLLOW) }
        return info
    }

    /// `pread` of up to `count` bytes at `offset`, in one call: a page of a regular file arrives whole, and fewer
    /// bytes (none past the end) mean the file ends there. Into uninitialized memory: zeroing a table's 8 KiB
    /// bucket first cost more instructions than the read.
    public static func read(_ fd: Int32, upTo count: Int, at offset: Int64) throws(SystemError) -> [UInt8] {
        var failure: SystemError?
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(SystemError) {
                initialized = try retrying("pread") { Glibc.pread(fd, buffer.baseAddress, count, off_t(offset)) }
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return out
    }

    /// `pwrite` of every byte at `offset`: bytes that stay within one page go in one call. A write that would pass
    /// the file size limit (RLIMIT_FSIZE, which some hosts set) fails whole, before any byte: the kernel would write
    /// the bytes below the limit and tear the slot they belong to.
    public static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int64) throws(SystemError) {
        if offset > fileSizeLimit - Int64(bytes.count) { throw SystemError(call: "pwrite", errno: Errno(EFBIG)) }
        var done = 0
        while done < bytes.count {
            done += try retrying("pwrite") {
                bytes.withUnsafeBytes { Glibc.pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            }
        }
    }

    private static let fileSizeLimit: Int64 = {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { return .max }
        return Int64(clamping: limit.rlim_cur)  // RLIM_INFINITY, all ones, clamps to .max
    }()

    /// `ftruncate`: a file grown this way reads as zeros, and takes no disk until written.
    public static func truncate(_ fd: Int32, to size: Int64, _ what: String) throws(SystemError) {
        try retrying("ftruncate \(what)") { ftruncate(fd, off_t(size)) }
    }

    /// `fdatasync`: the file's bytes (and its size), not its times.
    public static func syncData(_ fd: Int32, _ what: String) throws(SystemError) {
        try retrying("fdatasync \(what)") { fdatasync(fd) }
    }

    /// `flock(LOCK_EX | LOCK_NB)`: true when had, false while another descriptor holds it (or a signal came).
    public static func tryLock(_ fd: Int32, _ what: String) throws(SystemError) -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK || errno == EINTR { return false }
        throw SystemError(call: "flock \(what)", errno: .current)
    }

    /// `flock(LOCK_UN)`. It cannot fail on a descriptor that holds the lock; closing it would release it too.
    public static func unlock(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
    }

    /// `close` where nothing was written through the descriptor, so there is nothing its failure could mean.
    public static func release(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// The names in a directory (`openat`, `fdopendir`, `readdir`), without `.` and `..`; at most `limit`.
    public static func names(in dir: Int32, _ name: String, limit: Int = .max) throws(SystemError) -> [String] {
        let fd = try openat(dir, name, O_RDONLY | O_DIRECTORY)
        guard let stream = fdopendir(fd) else {
            let failure = SystemError(call: "opendir \(name)", errno: .current)
            Glibc.close(fd)
            throw failure
        }
        defer { closedir(stream) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if entryName != "." && entryName != ".." { names.append(entryName) }
        }
        return names
    }

    /// `unlinkat(AT_REMOVEDIR)`; a directory already gone is not a failure.
    public static func removeDirectory(in dir: Int32, _ name: String) throws(SystemError) {
        if unlinkat(dir, name, AT_REMOVEDIR) != 0 && errno != ENOENT { throw SystemError(call: "rmdir \(name)", errno: .current) }
    }

    /// `sync`: every file's writes to the disk, for a batch written without syncing each.
    public static func syncAll() { Glibc.sync() }

    /// `geteuid`, the user whose files the process may trust as its own.
    public static func effectiveUserID() -> uid_t { geteuid() }

    /// `recv` (or `read`, on what is not a socket) into `buffer` without blocking: the bytes read, 0 at end of
    /// file, or nil when nothing is there yet (EAGAIN). EINTR is retried.
    public static func receive(_ fd: Int32, into buffer: inout [UInt8], socket: Bool = true) throws(SystemError) -> Int? {
        while true {
            let n = buffer.withUnsafeMutableBytes { socket ? recv(fd, $0.baseAddress, $0.count, 0) : Glibc.read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return n }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            if errno != EINTR { throw SystemError(call: socket ? "recv" : "read", errno: .current) }
        }
    }

    /// `send` without blocking and with MSG_NOSIGNAL: how many bytes went, or nil when none could (EAGAIN).
    /// EINTR is retried.
    public static func sendSome(_ fd: Int32, _ bytes: ArraySlice<UInt8>) throws(SystemError) -> Int? {
        while true {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n >= 0 { return n }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            if errno != EINTR { throw SystemError(call: "send", errno: .current) }
        }
    }

    /// `poll` for up to `milliseconds`: how many descriptors are ready, 0 when none (or when a signal cut the
    /// wait short, so that the caller recomputes what is left of its deadline).
    public static func poll(_ fds: inout [pollfd], milliseconds: Int64) throws(SystemError) -> Int {
        let ready = Glibc.poll(&fds, nfds_t(fds.count), Int32(clamping: max(0, milliseconds)))
        if ready >= 0 { return Int(ready) }
        if errno == EINTR { return 0 }
        throw SystemError(call: "poll", errno: .current)
    }

    /// `accept`; a connection the peer aborted before it was taken is skipped. EINTR is the one failure not
    /// retried here: a server blocked in accept learns of SIGTERM that way.
    public static func accept(_ listener: Int32) throws(SystemError) -> Int32 {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 { return fd }
            if errno != ECONNABORTED { throw SystemError(call: "accept", errno: .current) }
        }
    }

    /// `realpath`: `path` with every symbolic link, `.`, `..` and repeated `/` resolved; nil when a component is
    /// missing or unreadable.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `waitpid`: the status, or nil while the child runs (without `waiting`) or is not ours.
    public static func reap(_ pid: pid_t, waiting: Bool) -> Int32? {
        var status: Int32 = 0
        guard (try? retrying("waitpid") { waitpid(pid, &status, waiting ? 0 : WNOHANG) }) == pid else { return nil }
        return status
    }
}
