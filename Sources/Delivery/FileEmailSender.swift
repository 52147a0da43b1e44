// Django's "filebased" email backend: one message per file in EMAIL_FILE_PATH, for local use and tests.
#if canImport(Glibc)
import Glibc
#endif

struct FileEmailSender: Sender {
    let directory: String
    let from: String

    /// The message appears whole or not at all (temp file, then rename), so a reader never sees half of one.
    func send(_ message: OutgoingMessage) throws {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw DeliveryFault("cannot create EMAIL_FILE_PATH \(directory): \(String(cString: strerror(errno)))")
        }
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw DeliveryFault("cannot open EMAIL_FILE_PATH \(directory): \(String(cString: strerror(errno)))") }
        defer { close(dir) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanos = String(now.tv_nsec), seconds = Int64(now.tv_sec)
        let name = "\(Self.stamp(seconds)).\(String(repeating: "0", count: 9 - nanos.count))\(nanos)-\(Random.hex(4)).eml"
        let temp = ".\(name).tmp"
        do {
            let fd = try Syscall.openat(dir, temp, O_WRONLY | O_CREAT | O_EXCL)
            do {
                try Syscall.writeAll(fd, Array(EmailMessage.render(message, from: from, now: seconds).utf8))
                try Syscall.close(fd)
            } catch { close(fd); throw error }
            try Syscall.retrying("rename message") { renameat(dir, temp, dir, name) }
        } catch {
            unlinkat(dir, temp, 0)
            throw DeliveryFault("writing to EMAIL_FILE_PATH: \(error)")
        }
    }

    /// Sorts by time like Django's `%Y%m%d-%H%M%S` names; the caller adds nanoseconds so that two messages of
    /// one second sort in the order they were written.
    private static func stamp(_ seconds: Int64) -> String {
        var time = time_t(seconds), parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ n: Int32, _ width: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, width - s.count)) + s }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "-"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2)
    }
}
