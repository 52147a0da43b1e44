// JSON string escaping of untrusted text, for every JSON the service writes: its answers, a token's claims, a
// provider's request body and a webhook's event.

/// The inside of a JSON string (RFC 8259 section 7), on UTF-8 bytes: quote, backslash and every control character
/// escaped, and `<`, `>`, `&`, U+2028 and U+2029 too, so that the JSON is also inert if sniffed as HTML or read as
/// JavaScript. Everything else is its own UTF-8.
public enum JSONEscaping {
    public static func append(_ text: String, to out: inout [UInt8]) {
        func escape(_ value: UInt32) {
            out += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
            for shift in stride(from: 12, through: 0, by: -4) { out.append(ASCII.hexDigit(Int(value >> UInt32(shift) & 0xf))) }
        }
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\\"): out += [byte, byte]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, 0x7f, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): escape(UInt32(byte))
            // U+2028 and U+2029 (E2 80 A8/A9) end a line in JavaScript.
            case 0xE2 where bytes.count >= 2 && bytes[bytes.startIndex] == 0x80 && (bytes[bytes.startIndex + 1] & 0xFE) == 0xA8:
                escape(bytes[bytes.startIndex + 1] == 0xA8 ? 0x2028 : 0x2029)
                bytes = bytes.dropFirst(2)
            default: out.append(byte)
            }
        }
    }

    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
