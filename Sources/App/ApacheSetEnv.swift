// The settings an Apache configuration or .htaccess gives a request: its SetEnv lines, read for `--check`.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

/// `SetEnv NAME VALUE` lines, a quoted VALUE unquoted as Apache does, later lines winning; commented lines
/// skipped; `Include` and `IncludeOptional` of a single absolute file followed (the Debian package's
/// conf-available/otp-cgi.conf includes its settings file so), a few levels deep at most.
enum ApacheSetEnv {
    static func settings(in path: String, depth: Int = 0) throws(OTPError) -> [String: String] {
        var settings: [String: String] = [:]
        // Lines end at the LF byte, as Apache reads them (a CR before it is dropped).
        let text = try read(path)
        for raw in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
            let words = Self.words(String(text[line.startIndex..<line.endIndex]))
            guard let directive = words.first?.lowercased() else { continue }
            switch directive {
            case "setenv" where words.count >= 2:
                settings[words[1]] = words.count > 2 ? words[2] : ""
            case "include" where words.count == 2 && words[1].hasPrefix("/") && depth < 4,
                 "includeoptional" where words.count == 2 && words[1].hasPrefix("/") && depth < 4:
                if directive == "includeoptional" && access(words[1], F_OK) != 0 { continue }
                settings.merge(try Self.settings(in: words[1], depth: depth + 1)) { $1 }
            default: continue
            }
        }
        return settings
    }

    /// The whole file, following a symlink (conf-enabled/ holds links to conf-available/).
    static func read(_ path: String) throws(OTPError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .misconfigured("cannot read \(path): \(Errno.current)") }
        defer { _ = Glibc.close(fd) }
        guard let bytes = try? Syscall.readAll(fd, limit: 1 << 20) else { throw .misconfigured("cannot read \(path): not a small text file") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A line's words as Apache splits them: on spaces and tabs, a double-quoted word kept whole with `\"` and
    /// `\\` unescaped; nothing from a `#` that starts a word.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, escaped = false, inWord = false
        for scalar in line.unicodeScalars {
            if quoted {
                if escaped { current.unicodeScalars.append(scalar); escaped = false }
                else if scalar == "\\" { escaped = true }
                else if scalar == "\"" { quoted = false }
                else { current.unicodeScalars.append(scalar) }
            } else if scalar == " " || scalar == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else if scalar == "#" && !inWord {
                break
            } else if scalar == "\"" && !inWord {
                quoted = true; inWord = true
            } else {
                current.unicodeScalars.append(scalar); inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
