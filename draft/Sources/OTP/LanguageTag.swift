// A BCP 47 language tag (RFC 5646) held to a strict subset, because a tag also names a template directory.

/// Language, then optional script, region and variants: `en`, `pt-BR`, `zh-Hans-CN`, `sl-rozaj`. Extensions,
/// private use and grandfathered tags are refused: no translation is keyed on them, and every accepted tag is
/// letters, digits and single hyphens, so it can never be `..`, hold a `/` or reach outside a directory.
/// Stored in the canonical case (`pt-BR`, `zh-Hans`), so one language maps to one directory name.
public struct LanguageTag: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// RFC 5646 section 4.4.1 asks for room for 35 characters; nothing longer is a tag anyone sends.
    public static let maxLength = 35

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxLength else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        // 0: language, 1: after the language (script, region or variant may follow), 2: after the script,
        // 3: after the region (variants only).
        var stage = 0, start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "-") { end += 1 }
            let subtag = bytes[start..<end]
            let letters = subtag.allSatisfy(Self.isLetter), digits = subtag.allSatisfy(Self.isDigit)
            let alphanumeric = subtag.allSatisfy { Self.isLetter($0) || Self.isDigit($0) }
            guard !subtag.isEmpty, alphanumeric else { return nil }
            if !out.isEmpty { out.append(UInt8(ascii: "-")) }
            let isScript = stage == 1 && subtag.count == 4 && letters
            let isRegion = (1...2).contains(stage) && (subtag.count == 2 && letters || subtag.count == 3 && digits)
            let isVariant = stage >= 1 && ((5...8).contains(subtag.count) || subtag.count == 4 && Self.isDigit(subtag.first!))
            if stage == 0 && (2...3).contains(subtag.count) && letters {
                out += subtag.map(Self.lower); stage = 1
            } else if isScript {
                out += subtag.prefix(1).map(Self.upper) + subtag.dropFirst().map(Self.lower); stage = 2
            } else if isRegion {
                out += subtag.map(Self.upper); stage = 3
            } else if isVariant {
                out += subtag.map(Self.lower); stage = 3
            } else {
                return nil
            }
            start = end + 1
        }
        guard bytes.last != UInt8(ascii: "-") else { return nil }
        description = String(decoding: out, as: UTF8.self)
    }

    /// The primary language subtag: `pt` for `pt-BR`.
    public var language: Substring { description.utf8.split(separator: UInt8(ascii: "-"), maxSplits: 1).first.map { Substring($0) } ?? "" }

    /// RFC 4647 lookup's fallback: `zh-Hant-TW`, `zh-Hant`, `zh`.
    public var truncations: [LanguageTag] {
        var out = [self], text = Substring(description)
        while let dash = text.utf8.lastIndex(of: UInt8(ascii: "-")) {
            text = text[..<dash]
            out.append(LanguageTag(canonical: String(text)))
        }
        return out
    }

    /// Written right to left: Arabic, Hebrew, Persian, Urdu and the other scripts' main languages.
    public var isRightToLeft: Bool {
        ["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ug", "ckb"].contains(language)
    }

    private init(canonical: String) { description = canonical }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5a).contains(byte) ? byte | 0x20 : byte }
    private static func upper(_ byte: UInt8) -> UInt8 { (0x61...0x7a).contains(byte) ? byte & ~0x20 : byte }
}
