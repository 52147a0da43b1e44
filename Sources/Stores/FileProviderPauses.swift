// The file store's record of failed phone providers: one empty file per provider, its mtime the failure time.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

/// Files under `providers/` in the store directory, named `sms-twilio` and the like: no secret and no identifier
/// in them, only a time. The store directory is the one FileStore created and checked (ours, 0700) before any
/// send; `providers/` is made 0700 and nothing here follows a symlink.
public struct FileProviderPauses: ProviderPauses {
    public let directory: String
    let log: (String) -> Void

    public init(directory: String, log: @escaping (String) -> Void) {
        (self.directory, self.log) = (directory, log)
    }

    public func paused(_ providers: [String], seconds: Int, now: Int64) -> Set<String> {
        let dir = open(directory + "/providers", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dir >= 0 else { return [] }
        defer { Glibc.close(dir) }
        var out: Set<String> = []
        for provider in providers {
            guard let name = ProviderName.storageName(provider) else { continue }
            var info = stat()
            guard fstatat(dir, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if now - Int64(info.st_mtim.tv_sec) < Int64(seconds) { out.insert(provider) }
        }
        return out
    }

    public func recordFailure(_ provider: String, now: Int64) {
        guard let name = ProviderName.storageName(provider) else { return log("provider pause: no such provider name \(provider)") }
        do throws(SystemError) {
            let root = try Syscall.retrying("open \(directory)") { open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            defer { Glibc.close(root) }
            _ = try Syscall.makeDirectory(in: root, "providers")
            let dir = try Syscall.openat(root, "providers", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            defer { Glibc.close(dir) }
            let fd = try Syscall.openat(dir, name, O_WRONLY | O_CREAT)
            defer { Glibc.close(fd) }
            var times = (timespec(tv_sec: Int(now), tv_nsec: 0), timespec(tv_sec: Int(now), tv_nsec: 0))
            _ = try withUnsafeBytes(of: &times) { pair throws(SystemError) in
                try Syscall.retrying("futimens") { futimens(fd, pair.baseAddress!.assumingMemoryBound(to: timespec.self)) }
            }
        } catch {
            log("provider pause: cannot record that \(provider) failed: \(error)")
        }
    }
}
