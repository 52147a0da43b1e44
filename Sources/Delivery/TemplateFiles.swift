// OTP_TEMPLATE_DIR: an operator's templates, one directory per locale (`fr/sms.txt`, `pt-BR/email.html`).
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

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
        let bytes: [UInt8]?
        do throws(SystemError) {
            // A symlinked file is followed: configuration management often links templates into place.
            let fd = try Syscall.retrying("open") { open(path, O_RDONLY | O_CLOEXEC) }
            defer { try? Syscall.close(fd) }
            bytes = try Syscall.readAll(fd, limit: Self.maxBytes)
        } catch {
            if error.errno == .noEntry || error.errno == Errno(ENOTDIR) { return nil }
            throw TemplateFault("cannot \(error.call) \(origin(locale, name)): \(error.errno)")
        }
        guard var bytes else { throw TemplateFault("\(origin(locale, name)) is larger than 64 KiB") }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw TemplateFault("\(origin(locale, name)) is not UTF-8") }
        return text
    }

    /// Every locale folder, for the self-check; names that are not canonical tags are reported, since no
    /// request could ever reach them.
    func locales() throws(TemplateFault) -> (found: [LanguageTag], ignored: [String]) {
        guard let dir = opendir(directory) else {
            throw TemplateFault("cannot open OTP_TEMPLATE_DIR \(directory): \(Errno.current)")
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
