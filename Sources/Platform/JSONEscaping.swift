// JSON strings: escaping untrusted text for every JSON the service writes (its answers, a token's claims, a
// provider's request body and a webhook's event), and reading one back from a request or a provider's answer.

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

    /// The string whose opening quote is at `index`, unescaped, with `index` moved past its closing quote. Escapes
    /// include `\u` surrogate pairs; a lone surrogate, a raw control character, an unknown escape or a missing end
    /// is nil (malformed) rather than repaired. The bytes are as sent: whether they are UTF-8 is the caller's to say.
    public static func unescape(_ bytes: [UInt8], at index: inout Int) -> [UInt8]? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        var i = index + 1
        func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[i..<i + 4] {
                guard let digit = ASCII.hexValue(byte) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            i += 4
            return value
        }
        var out: [UInt8] = []
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                index = i
                return out
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return nil }
                let escape = bytes[i]
                i += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var unit = hex4() else { return nil }
                    if (0xd800...0xdbff).contains(unit) {
                        guard i + 2 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(), (0xdc00...0xdfff).contains(low) else { return nil }
                        unit = 0x10000 + (unit - 0xd800) << 10 + (low - 0xdc00)
                    }
                    guard let scalar = Unicode.Scalar(unit) else { return nil }
                    out += String(scalar).utf8
                default: return nil
                }
            case 0..<0x20: return nil
            default: out.append(byte)
            }
        }
        return nil
    }
}
