// Validation and normalisation of who a code is for, so one person maps to one record whatever they typed.

import System

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
    /// could split or add a mail header (controls, whitespace, `<>,;:"()[]\`).
    static func normaliseEmail(_ raw: String) throws(OTPError) -> String {
        let trimmed = raw.trimmingASCIIWhitespace().lowercased()
        let invalid = OTPError.badRequest("Invalid email address")
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxEmailBytes else { throw invalid }
        for scalar in trimmed.unicodeScalars {
            // ASCII, nearly every address, is settled without the Unicode property tables.
            let refused = scalar.isASCII
                ? scalar.value < 0x21 || scalar.value == 0x7f || "<>,;:\"()[]\\".unicodeScalars.contains(scalar)
                : (0x80...0x9f).contains(scalar.value) || scalar.properties.isWhitespace || scalar.properties.generalCategory == .format
            if refused { throw invalid }
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { throw invalid }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else { throw invalid }
        return trimmed
    }

    /// E.164: `+`, a first digit 1-9, 8 to 15 ASCII digits in all; the separators people type are dropped first.
    static func normalisePhone(_ raw: String) throws(OTPError) -> String {
        let kept = raw.trimmingASCIIWhitespace().unicodeScalars.filter { !" -.()".unicodeScalars.contains($0) }
        let invalid = OTPError.badRequest("Invalid phone number; use E.164, e.g. +14155552671")
        guard kept.first == "+" else { throw invalid }
        let digits = kept.dropFirst()
        guard (8...15).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) }),
              digits.first != "0" else { throw invalid }
        return "+" + String(String.UnicodeScalarView(digits))
    }

    /// For the error log: enough to tell requests apart, too little to learn who asked.
    public var masked: String {
        switch channel {
        case .email:
            let at = value.firstIndex(of: "@")!
            return String(value[..<value.index(after: value.startIndex)]) + "***" + String(value[at...])
        case .sms, .whatsapp:
            let digits = value.dropFirst()
            let shown = digits.count >= 11 ? 4 : digits.count / 3
            return "+" + digits.prefix(shown) + "***" + digits.suffix(shown)
        }
    }
}
