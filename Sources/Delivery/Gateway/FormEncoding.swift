// application/x-www-form-urlencoded and query strings, written with only unreserved characters left as they are.
import Platform

enum FormEncoding {
    /// Percent-encodes every byte but letters, digits and `-._~` (RFC 3986's unreserved), so that no `+`, `&`,
    /// `=`, `#` or non-ASCII byte of a value can be misread.
    static func encoded(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if ASCII.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), ASCII.uppercased(ASCII.hexDigit(Int(byte >> 4))), ASCII.uppercased(ASCII.hexDigit(Int(byte & 0xf)))]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func fields(_ fields: [(String, String)]) -> String {
        fields.map { encoded($0.0) + "=" + encoded($0.1) }.joined(separator: "&")
    }
}
