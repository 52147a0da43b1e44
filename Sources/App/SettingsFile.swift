// The settings a web server's or a unit's configuration file gives the service, in each format the project ships:
// read for `--check --config`, so that the check sees what a request would.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

/// One file's settings and the kinds of line they came from. Lines are recognised by their own shape, so one
/// reader serves every server: Apache's `SetEnv NAME VALUE`; nginx's `fastcgi_param NAME VALUE;`; lighttpd's
/// `"NAME" => "VALUE"` pairs inside `setenv.add-environment`, `setenv.set-environment` or `"bin-environment"`;
/// systemd's `Environment=NAME=VALUE ...` and `EnvironmentFile=`; and an environment file's `NAME=VALUE` lines.
/// Each server's include of an absolute file is followed, a few levels deep. Later lines win, as in each server.
struct SettingsFile {
    enum Format: String, CaseIterable {
        case apache = "Apache SetEnv"
        case nginx = "nginx fastcgi_param"
        case lighttpd = "lighttpd setenv"
        case systemd = "systemd Environment="
        case environmentFile = "NAME=VALUE"
    }

    private(set) var settings: [String: String] = [:]
    private(set) var formats: [Format] = []
    /// Every file read, the given one and those it includes: the check trusts the settings no more than these.
    private(set) var files: [String] = []

    static func read(_ path: String) throws(OTPError) -> SettingsFile {
        var file = SettingsFile()
        try file.add(path, depth: 0)
        return file
    }

    /// "the fastcgi_param lines of /etc/nginx/otp-cgi-settings.conf", for the check's first line.
    var origin: String {
        formats.map { "\($0.rawValue) lines" }.joined(separator: " and ")
    }

    private mutating func found(_ format: Format, _ name: String, _ value: String) {
        if !formats.contains(format) { formats.append(format) }
        settings[name] = value
    }

    private mutating func add(_ path: String, depth: Int) throws(OTPError) {
        files.append(path)
        let text = try Self.text(of: path)
        var inLighttpdList = false, inUnit = false
        // Lines end at the LF byte, as the servers read them (a CR before it is dropped).
        for raw in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let bytes = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
            let line = String(text[bytes.startIndex..<bytes.endIndex])
            let trimmed = Self.trimmed(line)
            if trimmed.hasBytePrefix("#") || trimmed.isEmpty { continue }
            // A systemd unit's other lines (User=, ExecStart=) are NAME=VALUE too, but no settings.
            if trimmed.hasBytePrefix("[") && trimmed.hasByteSuffix("]") { inUnit = true; continue }
            if inLighttpdList || Self.opensLighttpdList(trimmed) {
                inLighttpdList = try lighttpd(trimmed, depth: depth)
                continue
            }
            if trimmed.hasBytePrefix("Environment=") {
                for assignment in Self.words(trimmed.droppingScalars(first: "Environment=".unicodeScalars.count)) {
                    guard let (name, value) = assignment.splitAtEquals() else { continue }
                    found(.systemd, name, value)
                }
                continue
            }
            if trimmed.hasBytePrefix("EnvironmentFile=") {
                var target = trimmed.droppingScalars(first: "EnvironmentFile=".unicodeScalars.count)
                let optional = target.hasBytePrefix("-")
                if optional { target = target.droppingScalars(first: 1) }
                if optional && access(target, F_OK) != 0 { continue }
                try include(target, depth: depth)
                if !formats.contains(.systemd) { formats.append(.systemd) }
                continue
            }
            // nginx ends a directive with ";"; Apache has none, so dropping it changes no Apache line's meaning.
            let nginx = trimmed.hasByteSuffix(";")
            var words = Self.words(nginx ? trimmed.droppingScalars(last: 1) : trimmed)
            if nginx, words.count == 3, words[2].unicodeScalars.count >= 2, words[2].hasBytePrefix("'"), words[2].hasByteSuffix("'") {
                words[2] = words[2].droppingScalars(first: 1, last: 1)
            }
            guard let directive = words.first?.lowercased() else { continue }
            switch directive {
            case "setenv" where words.count >= 2 && !nginx:
                found(.apache, words[1], words.count > 2 ? words[2] : "")
            case "fastcgi_param" where nginx && words.count >= 3:
                // A third word (if_not_empty) keeps an empty value from being sent: an empty value is unset anyway.
                found(.nginx, words[1], words[2])
            case "include" where words.count == 2, "includeoptional" where words.count == 2 && !nginx:
                if directive == "includeoptional" && access(words[1], F_OK) != 0 { continue }
                try include(words[1], depth: depth)
            default:
                if !inUnit, let (name, value) = trimmed.splitAtEquals(), Self.isName(name) {
                    found(.environmentFile, name, Self.unquoted(value))
                }
            }
        }
    }

    /// An absolute file only: relative ones depend on a server root this reader does not know.
    private mutating func include(_ path: String, depth: Int) throws(OTPError) {
        guard path.hasBytePrefix("/"), depth < 4 else { return }
        try add(path, depth: depth + 1)
    }

    private static func opensLighttpdList(_ line: String) -> Bool {
        ["setenv.add-environment", "setenv.set-environment", "\"bin-environment\""].contains { line.hasBytePrefix($0) }
            || line.hasBytePrefix("include ") && line.unicodeScalars.contains("\"")
    }

    /// One line of lighttpd's: its `"NAME" => "VALUE"` pairs, or an `include "FILE"`. Returns whether the list
    /// of pairs goes on after this line (it ends at a `)` outside a string).
    private mutating func lighttpd(_ line: String, depth: Int) throws(OTPError) -> Bool {
        let strings = Self.lighttpdStrings(line)
        if line.hasBytePrefix("include "), let path = strings.words.first {
            try include(path, depth: depth)
            return false
        }
        for index in strings.arrows.sorted() where index + 1 < strings.words.count {
            found(.lighttpd, strings.words[index], strings.words[index + 1])
        }
        return !strings.closes
    }

    /// The double-quoted strings of a lighttpd line (with `\"` and `\\` unescaped), which of them a `=>` and then a
    /// string follows (not a `(`: `"bin-environment" => (` names a list), and whether a `)` outside them closes a
    /// list; nothing from a `#` outside a string.
    private static func lighttpdStrings(_ line: String) -> (words: [String], arrows: Set<Int>, closes: Bool) {
        var words: [String] = [], arrows = Set<Int>(), closes = false
        var current = "", quoted = false, escaped = false, previous: Unicode.Scalar = " ", afterArrow = false
        for scalar in line.unicodeScalars {
            if quoted {
                if escaped { current.unicodeScalars.append(scalar); escaped = false }
                else if scalar == "\\" { escaped = true }
                else if scalar == "\"" { quoted = false; words.append(current); current = "" }
                else { current.unicodeScalars.append(scalar) }
            } else if scalar == "\"" {
                quoted = true; afterArrow = false
            } else if scalar == ">" && previous == "=" && !words.isEmpty {
                arrows.insert(words.count - 1); afterArrow = true
            } else if scalar == "(" && afterArrow {
                arrows.remove(words.count - 1); afterArrow = false
            } else if scalar == ")" {
                closes = true
            } else if scalar == "#" {
                break
            }
            previous = scalar
        }
        return (words, arrows, closes)
    }

    private static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// An environment file's value: one pair of surrounding double or single quotes removed.
    private static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.unicodeScalars.count >= 2 && value.hasBytePrefix(quote) && value.hasByteSuffix(quote) {
            return value.droppingScalars(first: 1, last: 1)
        }
        return value
    }

    private static func trimmed(_ line: String) -> String {
        var scalars = Substring(line).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    /// The whole file, following a symlink (conf-enabled/ holds links to conf-available/).
    static func text(of path: String) throws(OTPError) -> String {
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

/// Cuts and splits on Unicode scalars, as the servers read bytes: a combining mark after a `=` or a quote leaves it
/// the character a server sees, where Swift's `Character` would fuse the two into another.
private extension String {
    func droppingScalars(first: Int = 0, last: Int = 0) -> String {
        String(String.UnicodeScalarView(unicodeScalars.dropFirst(first).dropLast(last)))
    }

    /// The text before the first `=` and after it.
    func splitAtEquals() -> (String, String)? {
        guard let equals = unicodeScalars.firstIndex(of: "=") else { return nil }
        return (String(unicodeScalars[..<equals]), String(unicodeScalars[unicodeScalars.index(after: equals)...]))
    }
}
