// %XX escapes (RFC 3986 section 2.1), the one decoder for form bodies, URLs and the store URL's password.

public enum PercentDecoding {
    /// The bytes `text` stands for, or nil for a `%` not followed by two hex digits. In a form body (`plusIsSpace`,
    /// the WHATWG urlencoded parser) `+` is a space; in a URL it is itself.
    public static func decode<Bytes: Collection<UInt8>>(_ text: Bytes, plusIsSpace: Bool) -> [UInt8]? where Bytes.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < text.endIndex, let hi = ASCII.hexValue(text[i + 1]), let lo = ASCII.hexValue(text[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusIsSpace && c == UInt8(ascii: "+") ? 0x20 : c)
                i += 1
            }
        }
        return out
    }
}
