// A datagram socket a test binds where a process would find /dev/log, to read what it logs to syslog.
import Foundation

/// A bound Unix datagram socket standing in for /dev/log.
public final class DatagramSocket {
    public let path: String
    private let fd: Int32

    public init(in directory: URL, name: String = "dev-log") throws {
        path = directory.appendingPathComponent(name).path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw TestFailure("bind \(path): \(errno)") }
        // The CGI may run as another user (www-data under a root test run): it must be able to send here.
        chmod(path, 0o666)
    }

    deinit { close(fd) }

    /// Every datagram queued so far. The sender has finished (the process exited, or its answer came after its
    /// lines), so what it sent is here: nothing waits.
    public func received() -> [String] {
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { return lines }
            lines.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
    }
}
