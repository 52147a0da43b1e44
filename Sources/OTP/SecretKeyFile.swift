// The store's key read from OTP_SECRET_KEY_FILE: a file of its own, outside the store, that only the web server's
// user can read, so that no copy of the store (a backup, a Redis dump, a neighbour on a shared Redis) holds it.
#if canImport(Glibc)
import Glibc
#endif
import Platform

public enum SecretKeyFile {
    /// At least as many bytes as OTP_SECRET_KEY must have.
    public static let minimumBytes = 16

    /// What a log line tells an operator who has no key yet: how to make one and how to name it.
    public static let howToMakeOne = "make a key with  (umask 077; head -c 32 /dev/urandom | base64 >/etc/otp-cgi/secret.key)  "
        + "then  chown www-data /etc/otp-cgi/secret.key  (the user the CGIs run as) and  SetEnv OTP_SECRET_KEY_FILE /etc/otp-cgi/secret.key"

    /// The keys the documentation shows in its example settings: anyone can read them, so a site that kept one
    /// would seal its codes with a public key. Refused wherever a key is read, as the request and `--check` read it.
    /// Text, not arrays of bytes (docs/design.md, generic types on a request's path).
    public static let placeholders = ["at-least-16-random-characters-here"]

    /// Throws when `key`, from `setting`, is one of the documentation's placeholders.
    public static func refusePlaceholder(_ key: [UInt8], from setting: String) throws(OTPError) {
        guard placeholders.contains(where: { key.elementsEqual($0.utf8) }) else { return }
        throw .misconfigured("\(setting) holds the documentation's placeholder key: make one of your own with  head -c 32 /dev/urandom | base64")
    }

    /// The file's bytes without one final line break, so that `echo` and editors make valid keys. A file other
    /// users may read is refused: the key is as secret as every code it seals. Messages name the setting, not the
    /// path, as they reach the client in a 500.
    public static func read(_ path: String) throws(OTPError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            throw .misconfigured("OTP_SECRET_KEY_FILE cannot be read by the web server's user (\(Errno.current))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .misconfigured("OTP_SECRET_KEY_FILE must name a regular file")
        }
        guard info.st_mode & 0o007 == 0 else {
            throw .misconfigured("OTP_SECRET_KEY_FILE must not be readable by other users (chmod 0600, or 0640 with the web server's group)")
        }
        guard var bytes = try? Syscall.readAll(fd, limit: 4096) else {
            throw .misconfigured("OTP_SECRET_KEY_FILE must hold a key of \(minimumBytes) to 4096 bytes")
        }
        if bytes.last == 0x0a { bytes.removeLast() }
        if bytes.last == 0x0d { bytes.removeLast() }
        guard bytes.count >= minimumBytes else {
            throw .misconfigured("OTP_SECRET_KEY_FILE must hold a key of at least \(minimumBytes) bytes")
        }
        try refusePlaceholder(bytes, from: "OTP_SECRET_KEY_FILE")
        return bytes
    }
}
