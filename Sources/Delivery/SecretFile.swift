// A secret a provider needs (a password, a header, a webhook's key) read from a file named by a `_FILE` setting.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

/// Read at each send, not with the settings: only a send needs it, and a verify then opens no file. The file
/// must be a regular one that other users cannot read; a message names the setting, never the path's content.
enum SecretFile {
    static let limit = 16_384

    static func text(_ path: String, setting: String) throws(DeliveryFault) -> String {
        do throws(OTPError) { return try read(path, setting: setting) } catch { throw DeliveryFault("\(error.detail)") }
    }

    /// The file's text without one final line break.
    static func read(_ path: String, setting: String) throws(OTPError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw .misconfigured("\(setting) cannot be read by the web server's user (\(Errno.current))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw .misconfigured("\(setting) must name a regular file") }
        guard info.st_mode & 0o007 == 0 else {
            throw .misconfigured("\(setting) must not be readable by other users (chmod 0600, or 0640 with the web server's group)")
        }
        guard var bytes = try? Syscall.readAll(fd, limit: limit) else { throw .misconfigured("\(setting) must hold at most \(limit) bytes") }
        if bytes.last == 0x0a { bytes.removeLast() }
        if bytes.last == 0x0d { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension OTPError {
    /// A misconfiguration's words; other cases do not arise where this is used.
    var detail: String { if case .misconfigured(let text) = self { text } else { "\(self)" } }
}
