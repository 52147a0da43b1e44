// Thin wrappers over the POSIX calls the file store makes: retry on EINTR, and errors that name the call.
#if canImport(Glibc)
import Glibc
#endif

struct SyscallError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32
    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

enum Syscall {
    /// Runs `body` until it stops failing with EINTR; any other failure becomes a `SyscallError`.
    @discardableResult
    static func retrying<T: BinaryInteger>(_ call: String, _ body: () -> T) throws(SyscallError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            if errno != EINTR { throw SyscallError(call: call, errno: errno) }
        }
    }

    static func openat(_ dir: Int32, _ name: String, _ flags: Int32, _ mode: mode_t = 0o600) throws(SyscallError) -> Int32 {
        try retrying("open \(name)") { Glibc.openat(dir, name, flags | O_CLOEXEC | O_NOFOLLOW, mode) }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SyscallError) {
        var offset = 0
        while offset < bytes.count {
            let n = try retrying("write") { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) } }
            offset += n
        }
    }

    /// Reads to end of file, refusing more than `limit` bytes (a record is small; a huge file is garbage).
    static func readAll(_ fd: Int32, limit: Int) throws(SyscallError) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = try retrying("read") { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if n == 0 { return out }
            out += chunk[..<n]
            if out.count > limit { return nil }
        }
    }

    /// A failed close after writes can mean lost data (NFS reports write errors here), so it is checked.
    static func close(_ fd: Int32) throws(SyscallError) {
        if Glibc.close(fd) == -1 && errno != EINTR { throw SyscallError(call: "close", errno: errno) }
    }
}
