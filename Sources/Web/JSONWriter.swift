// The one JSON writer: the answers' objects and a token's claims, flat objects of strings and integers.
import Platform

public enum JSONValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
}

public enum JSONWriter {
    /// Built by appending bytes: generic `map`/`joined` and per-scalar string appends cost more instructions
    /// than the rest of a verify. `compact` leaves out the spaces, as a token's claims usually are.
    public static func object(_ members: [(String, JSONValue)], compact: Bool) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(128)
        for (index, member) in members.enumerated() {
            if index > 0 { out += compact ? [UInt8(ascii: ",")] : [UInt8(ascii: ","), UInt8(ascii: " ")] }
            appendQuoted(member.0, to: &out)
            out += compact ? [UInt8(ascii: ":")] : [UInt8(ascii: ":"), UInt8(ascii: " ")]
            switch member.1 {
            case .string(let text): appendQuoted(text, to: &out)
            case .integer(let number): out += String(number).utf8
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes every control character and `<`, `>`, `&` too, so the JSON is also inert if sniffed as HTML.
    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        func escape(_ value: UInt32) {
            out += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
            for shift in stride(from: 12, through: 0, by: -4) { out.append(ASCII.hexDigit(Int(value >> UInt32(shift) & 0xf))) }
        }
        out.append(UInt8(ascii: "\""))
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\\"): out += [byte, byte]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): escape(UInt32(byte))
            // U+2028 and U+2029 (E2 80 A8/A9) end a line in JavaScript.
            case 0xE2 where bytes.count >= 2 && bytes[bytes.startIndex] == 0x80 && (bytes[bytes.startIndex + 1] & 0xFE) == 0xA8:
                escape(bytes[bytes.startIndex + 1] == 0xA8 ? 0x2028 : 0x2029)
                bytes = bytes.dropFirst(2)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
