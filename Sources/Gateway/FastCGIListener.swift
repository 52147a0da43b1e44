// `--listen ADDRESS`: the socket a FastCGI responder serves when no server handed it one on fd 0 (for
// mod_proxy_fcgi, nginx or lighttpd, with the process started by spawn-fcgi, fcgistarter or systemd).
#if canImport(Glibc)
import Glibc
#endif
import Platform

public enum FastCGIListener {
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// A listening socket for `["--listen", ADDRESS]`: an absolute Unix socket path, or IPv4 `ADDRESS:PORT`.
    public static func open(_ arguments: [String]) throws -> Int32 {
        guard arguments.count == 2, arguments[0] == "--listen" else {
            throw UsageError(description: "usage: --listen /path/to/socket | --listen 127.0.0.1:PORT")
        }
        let address = arguments[1]
        return address.hasPrefix("/") ? try unix(address) : try inet(address)
    }

    /// Bound under a temporary name and renamed once it listens, so that nobody connecting as soon as the
    /// path appears is refused.
    private static func unix(_ path: String) throws -> Int32 {
        let temporary = path + ".\(getpid()).tmp"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(temporary.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw UsageError(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        // The rename replaces a socket file left by an earlier process, but nothing else at that path.
        var existing = stat()
        if lstat(path, &existing) == 0 && existing.st_mode & S_IFMT != S_IFSOCK {
            throw UsageError(description: "\(path) exists and is not a socket")
        }
        unlink(temporary)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw failure("bind \(path)") }
        guard listen(fd, 128) == 0 else { throw failure("listen on \(path)") }
        guard rename(temporary, path) == 0 else { unlink(temporary); throw failure("rename to \(path)") }
        return fd
    }

    private static func inet(_ text: String) throws -> Int32 {
        var address = sockaddr_in()
        guard let parsed = HostPort(Substring(text)), let port = parsed.port, let ip = IPAddress(String(parsed.host)), ip.bytes.count == 4 else {
            throw UsageError(description: "--listen needs an absolute socket path or IPv4ADDRESS:PORT, not \(text)")
        }
        withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: ip.bytes) }
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw failure("bind \(text)") }
        guard listen(fd, 128) == 0 else { throw failure("listen on \(text)") }
        return fd
    }

    private static func failure(_ call: String) -> UsageError {
        UsageError(description: "\(call): \(Errno.current)")
    }
}
