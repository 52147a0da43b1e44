// Validation and normalisation of who a code is for, so one person maps to one record whatever they typed.

import Platform

public struct Identifier: Equatable, Sendable {
    public let channel: Channel
    /// The normalised form: lower-cased email, or E.164 phone (`+` and 8 to 15 digits).
    public let value: String

    public static let maxEmailBytes = 254

    public init(channel: Channel, raw: String) throws(OTPError) {
        self.channel = channel
        switch channel {
        case .email: value = try Self.normaliseEmail(raw)
        case .sms, .whatsapp: value = try Self.normalisePhone(raw)
        }
    }

    /// A practical check, not RFC 5321's grammar: one `@`, a dotted domain, and none of the characters that
    /// could split or add a mail header (controls, whitespace, `<>,;:"()[]\`). Judged on bytes and scalars, never
    /// on `Character`: `@` followed by U+0301 is one grapheme cluster that is not `@`, but it is still an `@`.
    static func normaliseEmail(_ raw: String) throws(OTPError) -> String {
        let trimmed = raw.trimmingASCIIWhitespace().lowercased()
        let invalid = OTPError.badRequest("Invalid email address")
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxEmailBytes else { throw invalid }
        var previous: Unicode.Scalar = "@"
        for scalar in trimmed.unicodeScalars {
            // ASCII, nearly every address, is settled without the Unicode property tables.
            let refused = scalar.isASCII
                ? scalar.value < 0x21 || scalar.value == 0x7f || Self.isHeaderSeparator(scalar)
                : (0x80...0x9f).contains(scalar.value) || scalar.properties.isWhitespace || scalar.properties.generalCategory == .format
                    // A mark that starts a part would merge with the `@` or `.` before it when shown.
                    || ((previous == "@" || previous == ".") && Self.isMark(scalar))
            if refused { throw invalid }
            previous = scalar
        }
        // Read by offsets, not split into an array of slices (docs/design.md, generic types on a request's path).
        let bytes = Array(trimmed.utf8)
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64,
              bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "@")) == nil else { throw invalid }
        var labels = 0, labelStart = at + 1
        for index in (at + 1)...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
            guard index > labelStart, index - labelStart <= 63 else { throw invalid }
            labels += 1
            labelStart = index + 1
        }
        guard labels >= 2, Self.asciiDomain(String(decoding: bytes[(at + 1)...], as: UTF8.self)) != nil else { throw invalid }
        return trimmed
    }

    /// `<>,;:"()[]\`, as a switch: searching a string's scalars for each of an address's cost more than all the
    /// rest of its check.
    static func isHeaderSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {  // by code point, never as a Character a following mark could fuse with
        case 0x3c, 0x3e, 0x2c, 0x3b, 0x3a, 0x22, 0x28, 0x29, 0x5b, 0x5d, 0x5c: true  // < > , ; : " ( ) [ ] \
        default: false
        }
    }

    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// E.164: `+`, a first digit 1-9, 8 to 15 ASCII digits in all; the separators people type are dropped first.
    static func normalisePhone(_ raw: String) throws(OTPError) -> String {
        let kept = raw.trimmingASCIIWhitespace().unicodeScalars.filter { (scalar: Unicode.Scalar) in
            switch scalar.value {  // by code point: a separator followed by a mark is still dropped, the mark kept
            case 0x20, 0x2d, 0x2e, 0x28, 0x29: false  // space - . ( )
            default: true
            }
        }
        let invalid = OTPError.badRequest("Invalid phone number; use E.164, e.g. +14155552671")
        guard kept.first == "+" else { throw invalid }
        let digits = kept.dropFirst()
        guard (8...15).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) }),
              digits.first != "0" else { throw invalid }
        return "+" + String(String.UnicodeScalarView(digits))
    }

    /// For the error log: enough to tell requests apart, too little to learn who asked. Cut on scalars and
    /// bytes, so a mark after the first letter or the `@` cannot pull more of the address into view.
    public var masked: String {
        switch channel {
        case .email:
            let bytes = Array(value.utf8)
            let at = bytes.firstIndex(of: UInt8(ascii: "@")) ?? bytes.count
            return String(value.unicodeScalars.first!) + "***" + String(decoding: bytes[at...], as: UTF8.self)
        case .sms, .whatsapp:
            let digits = Array(value.utf8.dropFirst())
            let shown = digits.count >= 11 ? 4 : digits.count / 3
            return "+" + String(decoding: digits.prefix(shown), as: UTF8.self) + "***" + String(decoding: digits.suffix(shown), as: UTF8.self)
        }
    }
}
