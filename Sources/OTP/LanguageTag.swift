// A BCP 47 language tag (RFC 5646) held to a strict subset, because a tag also names a template directory.
import Platform

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
            let letters = subtag.allSatisfy(ASCII.isLetter), digits = subtag.allSatisfy(ASCII.isDigit)
            guard !subtag.isEmpty, subtag.allSatisfy(ASCII.isAlphanumeric) else { return nil }
            if !out.isEmpty { out.append(UInt8(ascii: "-")) }
            let isScript = stage == 1 && subtag.count == 4 && letters
            let isRegion = (1...2).contains(stage) && (subtag.count == 2 && letters || subtag.count == 3 && digits)
            let isVariant = stage >= 1 && ((5...8).contains(subtag.count) || subtag.count == 4 && ASCII.isDigit(subtag.first!))
            if stage == 0 && (2...3).contains(subtag.count) && letters {
                out += subtag.map(ASCII.lowercased); stage = 1
            } else if isScript {
                out += subtag.prefix(1).map(ASCII.uppercased) + subtag.dropFirst().map(ASCII.lowercased); stage = 2
            } else if isRegion {
                out += subtag.map(ASCII.uppercased); stage = 3
            } else if isVariant {
                out += subtag.map(ASCII.lowercased); stage = 3
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

    /// RFC 4647 lookup's fallback, one subtag less: `zh-Hant` for `zh-Hant-TW`, `zh` for `zh-Hant`, nil for `zh`.
    public var parent: LanguageTag? {
        guard let dash = description.utf8.lastIndex(of: UInt8(ascii: "-")) else { return nil }
        return LanguageTag(canonical: String(description[..<dash]))
    }

    /// The tag itself or the first of its truncations that `accept` takes: a walk, not a list, since it runs in
    /// every request that names a language.
    public func firstTruncation(where accept: (LanguageTag) -> Bool) -> LanguageTag? {
        var tag: LanguageTag? = self
        while let candidate = tag {
            if accept(candidate) { return candidate }
            tag = candidate.parent
        }
        return nil
    }

    /// The last resort of every fallback, made without parsing.
    public static let english = LanguageTag(canonical: "en")

    /// Written right to left: Arabic, Hebrew, Persian, Urdu and the other scripts' main languages.
    public var isRightToLeft: Bool {
        ["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ug", "ckb"].contains(language)
    }

    private init(canonical: String) { description = canonical }

}
