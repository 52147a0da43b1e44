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

    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        JSONEscaping.append(text, to: &out)
        out.append(UInt8(ascii: "\""))
    }
}
