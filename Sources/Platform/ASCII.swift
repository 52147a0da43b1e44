// Byte-level tests of ASCII text: untrusted input is judged by its bytes or scalars, never by `Character`, which
// is a grapheme cluster (`"` followed by U+0301 is one Character that is not `"`).

public enum ASCII {
    public static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    public static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    public static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }

    public static func lowercased(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte }

    public static func uppercased(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte & ~0x20 : byte }

    /// The lower-case hex digit of `nibble` (0 to 15); the one hex-digit writer.
    public static func hexDigit(_ nibble: Int) -> UInt8 { UInt8(truncatingIfNeeded: nibble < 10 ? 0x30 + nibble : 0x57 + nibble) }

    /// The value of one hex digit, either case; the one hex-digit parser.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether `text` is all ASCII digits (and not empty).
    public static func isNumber<Bytes: Collection<UInt8>>(_ text: Bytes) -> Bool { !text.isEmpty && text.allSatisfy(isDigit) }
}

extension String {
    /// The non-empty parts between `separator` bytes (an ASCII one): split on bytes, so a combining mark after a
    /// separator cannot hide it in a grapheme cluster, as `split(separator: Character)` would.
    /// Made part by part, not with the stdlib's `split`, whose array of slices is a generic type a CGI process would
    /// build for it (docs/design.md, generic types on a request's path).
    public func split(byte separator: UInt8, maxSplits: Int = Int.max) -> [String] {
        var parts: [String] = [], start = utf8.startIndex, index = start
        while index != utf8.endIndex {
            if utf8[index] == separator && parts.count < maxSplits {
                if start != index { parts.append(String(decoding: utf8[start..<index], as: UTF8.self)) }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        if start != utf8.endIndex { parts.append(String(decoding: utf8[start...], as: UTF8.self)) }
        return parts
    }

    /// Without leading and trailing spaces, tabs, CRs and LFs, judged by bytes ("\r\n" is one Character).
    public func trimmingASCIIWhitespace() -> String {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }
        guard let start = utf8.firstIndex(where: { !isSpace($0) }), let end = utf8.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
