// OTP_TEMPLATE_DIR: an operator's templates, one directory per locale (`fr/sms.txt`, `pt-BR/email.html`).
#if canImport(Glibc)
import Glibc
#endif
import OTP

/// Read per message, only the few files its locale can use; nothing is listed or cached, so an edited file
/// counts from the next request. A missing file falls back to the next source; an unreadable one, a file
/// over 64 KiB or one that is not UTF-8 is a fault, since a silent fallback would hide the operator's mistake.
struct TemplateFiles: Sendable {
    let directory: String

    enum Name: String, Sendable, CaseIterable {
        case emailSubject = "email.subject", emailText = "email.txt", emailHTML = "email.html", smsText = "sms.txt"
    }

    static let maxBytes = 64 * 1024

    /// `OTP_TEMPLATE_DIR/fr/sms.txt`, as faults name it.
    func origin(_ locale: LanguageTag, _ name: Name) -> String { "OTP_TEMPLATE_DIR/\(locale)/\(name.rawValue)" }

    /// Whether the directory has a folder for `locale` (a symlink to one counts).
    func has(_ locale: LanguageTag) -> Bool {
        var info = stat()
        return stat("\(directory)/\(locale)", &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// The file's text without its final line end, or nil when there is no such file. The tag is letters,
    /// digits and hyphens (LanguageTag), so the path stays inside `directory`.
    func text(_ locale: LanguageTag, _ name: Name) throws(TemplateFault) -> String? {
        let path = "\(directory)/\(locale)/\(name.rawValue)"
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw TemplateFault("cannot open \(origin(locale, name)): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Self.maxBytes + 1), filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n > 0 { filled += n } else if n == 0 { break } else if errno != EINTR {
                throw TemplateFault("cannot read \(origin(locale, name)): \(String(cString: strerror(errno)))")
            }
        }
        guard filled <= Self.maxBytes else { throw TemplateFault("\(origin(locale, name)) is larger than 64 KiB") }
        var end = filled
        if end > 0 && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > 0 && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard let text = String(validating: bytes[..<end], as: UTF8.self) else {
            throw TemplateFault("\(origin(locale, name)) is not UTF-8")
        }
        return text
    }

    /// Every locale folder, for the self-check; names that are not canonical tags are reported, since no
    /// request could ever reach them.
    func locales() throws(TemplateFault) -> (found: [LanguageTag], ignored: [String]) {
        guard let dir = opendir(directory) else {
            throw TemplateFault("cannot open OTP_TEMPLATE_DIR \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var found: [LanguageTag] = [], ignored: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            if let tag = LanguageTag(name), tag.description == name, has(tag) { found.append(tag) } else { ignored.append(name) }
        }
        return (found.sorted { $0.description < $1.description }, ignored.sorted())
    }
}
