// Log lines to the local syslog socket, for the routes whose stderr reaches no operator or reaches one at the
// wrong level (`OTP_LOG=syslog`).
#if canImport(Glibc)
import Glibc
#endif

/// nginx logs every FastCGI stderr line at error level ("FastCGI sent in stderr"), mod_proxy_fcgi does too
/// (AH01071), and a daemonised lighttpd hands a CGI's stderr to /dev/null. `/dev/log` is where a process with no
/// terminal writes on every Linux: journald reads it (`journalctl -t otp-cgi`), and rsyslog where installed. Each
/// line is one datagram, `<PRI>otp-cgi[PID]: text`, its level read off the line: a request's own line at `info`
/// (its status below 500) or `err` (500 and up), the console backend's lines and a new store directory's at
/// `notice`, warnings at `warning`,
/// and every other line (a store or delivery fault) at `err`. The glibc `syslog(3)` writes the same format, but
/// only to a fixed path.
public enum Syslog {
    /// Whether a request's settings (`OTP_LOG`) send its lines here; any other value is the settings' to refuse.
    public static func isChosen(by env: [String: String]) -> Bool { isChosen(env["OTP_LOG"]) }

    /// Whether `OTP_LOG`'s value chooses syslog.
    public static func isChosen(_ value: String?) -> Bool { value == "syslog" }

    /// Sends `line`, its control characters escaped as on stderr; on stderr instead when no syslog listens.
    public static func log(_ line: String) {
        var datagram = Array("<\(facility + severity(of: line))>otp-cgi[\(getpid())]: ".utf8)
        datagram += StandardError.logLine(line).dropFirst(StandardError.prefix.utf8.count).dropLast()
        // A kept socket fails once its listener restarted (journald's restart): then one new connection.
        for _ in 0..<2 {
            if socket < 0 { socket = open() }
            guard socket >= 0 else { break }
            if datagram.withUnsafeBytes({ Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == datagram.count { return }
            close(socket)
            socket = -1
        }
        StandardError.log(line)
    }

    /// LOG_DAEMON.
    static let facility: Int32 = 3 << 3

    /// The syslog level of one of the service's lines (RFC 5424 section 6.2.1 numbers).
    static func severity(of line: String) -> Int32 {
        let (error, warning, notice, info): (Int32, Int32, Int32, Int32) = (3, 4, 5, 6)
        if line.hasPrefix("warning: ") { return warning }
        if line.hasPrefix("console ") || line.hasPrefix("  ") || line.hasPrefix("store: created ") { return notice }
        // "generate 429 ..." or "verify 200 ...": an endpoint's name, then the status it answered.
        let words = line.utf8.split(separator: UInt8(ascii: " "), maxSplits: 2)
        if words.count >= 2, words[1].count == 3, let status = Int(String(decoding: words[1], as: UTF8.self)), (100...599).contains(status) {
            return status < 500 ? info : error
        }
        return error
    }

    /// The descriptor, opened at the first line and kept for the process's life (a FastCGI responder's many
    /// requests): -1 until then, or when no syslog listens.
    nonisolated(unsafe) private static var socket: Int32 = -1

    /// `/dev/log`, or OTP_SYSLOG_SOCKET from the process's own environment (a test's socket, a chroot's): never
    /// from a FastCGI request's parameters, which reach no `getenv`.
    private static func open() -> Int32 {
        let path = getenv("OTP_SYSLOG_SOCKET").map { String(cString: $0) } ?? "/dev/log"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { close(fd); return -1 }
        return fd
    }
}
