// Temp file, then rename: the one way a file is written in place, so that a reader sees the old file or the new one,
// whole, and a process killed at any instant leaves no half-written file under the name.
#if canImport(Glibc)
import Glibc
#endif

public enum AtomicFile {
    /// Writes `bytes` to `temp` in `dir` (or at a path, with AT_FDCWD; created with O_EXCL, so a leftover is never
    /// reused), lets `finish` act on the descriptor before its close is checked (fsync, timestamps), then renames it to
    /// `name`. On any failure the temp file is removed and the error thrown; `what` names the file in it. Whether the
    /// rename itself must reach the disk (an fsync of `dir`) is the caller's decision.
    public static func replace(in dir: Int32, _ name: String, temp: String, with bytes: [UInt8], _ what: String,
                               finish: (Int32) throws(SystemError) -> Void = { _ in }) throws(SystemError) {
        let fd = try Syscall.openat(dir, temp, O_WRONLY | O_CREAT | O_EXCL)
        do throws(SystemError) {
            try Syscall.writeAll(fd, bytes)
            try finish(fd)
            try Syscall.close(fd)
        } catch {
            Glibc.close(fd)
            unlinkat(dir, temp, 0)
            throw error
        }
        do throws(SystemError) {
            try Syscall.rename(in: dir, temp, to: name, what)
        } catch {
            unlinkat(dir, temp, 0)
            throw error
        }
    }
}
