// Reads settings from an injected environment (the process's, or a FastCGI request's PARAMS), strictly: a
// malformed value is an error naming the setting, never a silent fallback to the default. Each layer parses
// its own settings with it.
import Platform

public struct SettingsReader: Sendable {
    public let env: [String: String]

    public init(env: [String: String]) { self.env = env }

    /// An empty value counts as unset, as `SetEnv NAME ""` is how Apache users blank a setting.
    public func string(_ name: String) -> String? {
        guard let value = env[name], !value.isEmpty else { return nil }
        return value
    }

    public func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(OTPError) -> Int {
        guard let text = string(name) else { return value }
        guard ASCII.isNumber(text.utf8), let parsed = Int(text), range.contains(parsed) else {
            throw .misconfigured("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    public func boolean(_ name: String, default value: Bool) throws(OTPError) -> Bool {
        guard let text = string(name) else { return value }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw .misconfigured("\(name) must be true or false")
        }
    }

    /// Text that ends up in a mail header may not carry a line break (header injection).
    public func headerText(_ name: String) throws(OTPError) -> String? {
        guard let text = string(name) else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .misconfigured("\(name) must not contain control characters")
        }
        return text
    }

    /// Programs and files are named absolutely: a child is started without a PATH search. Only a setting named
    /// as one (`namesLocalResource`) may name one, so that no such setting can be read from a FastCGI request.
    public func absolutePath(_ name: String) throws(OTPError) -> String? {
        precondition(Self.namesLocalResource(name), "\(name) names a file but not by the rule of namesLocalResource")
        guard let path = string(name) else { return nil }
        guard path.hasPrefix("/") else { throw .misconfigured("\(name) must be an absolute path") }
        return path
    }

    /// Settings that name a program, a file or a directory, told by their names' endings: what such a setting
    /// names is started, read or written with the service's rights, so under FastCGI it comes from the responder's
    /// own environment and never from a request's PARAMS. A rule by name, not a list, so that a new setting of this
    /// kind is covered by being named as one (and `absolutePath` refuses any other name).
    public static func namesLocalResource(_ name: String) -> Bool { localResourceEndings.contains(where: name.hasByteSuffix) }

    static let localResourceEndings = ["_FILE", "_PATH", "_COMMAND", "_DIR", "_BUNDLE"]

    /// Every setting's name starts with one of these; a request's own variables (`HTTP_*`, `REMOTE_*`,
    /// `CONTENT_*`, `REQUEST_*` ...) never do.
    public static let namePrefixes = ["OTP_", "EMAIL_", "DEFAULT_FROM_EMAIL", "SMS_", "WA_"]

    public static func isSettingName(_ name: String) -> Bool {
        // A FastCGI responder asks this of every variable of every request: one look at the first byte rules most out.
        switch name.utf8.first {
        case UInt8(ascii: "O"), UInt8(ascii: "E"), UInt8(ascii: "D"), UInt8(ascii: "S"), UInt8(ascii: "W"):
            namePrefixes.contains(where: name.hasBytePrefix)
        default: false
        }
    }

    /// Comma- or space-separated, empty items ignored. Split on Unicode scalars: as `Character`s, a comma followed
    /// by a combining mark would be no comma.
    public func list<T>(_ name: String, _ parse: (String) throws(OTPError) -> T) throws(OTPError) -> [T] {
        guard let text = string(name) else { return [] }
        var out: [T] = []
        for item in text.unicodeScalars.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) { out.append(try parse(String(item))) }
        return out
    }
}
