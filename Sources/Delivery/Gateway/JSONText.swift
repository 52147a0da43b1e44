// The little JSON a gateway reads: one value from a provider's answer, and whether a body template is JSON.
import Platform

enum JSONText {
    /// The scalar at `path` (object keys and array indexes, as in `messages.0.status`) as text: a string's value
    /// unescaped, a number, `true`, `false` or `null` as written. Nil when the path leads nowhere, to an object or
    /// array, or through a document that is not JSON.
    static func value(at path: [Substring], in bytes: [UInt8]) -> String? {
        var reader = Reader(bytes: bytes)
        return reader.value(at: path[...])
    }

    /// Whether `bytes` are one JSON value and nothing else but white space.
    static func isDocument(_ bytes: [UInt8]) -> Bool {
        var reader = Reader(bytes: bytes)
        guard reader.skipValue() else { return false }
        reader.skipSpace()
        return reader.index == bytes.count
    }

    /// A cursor over the bytes that skips what the path does not name; it never builds a tree. Nesting is
    /// bounded, so a hostile answer cannot exhaust the stack.
    struct Reader {
        let bytes: [UInt8]
        var index = 0
        var depth = 0
        static let maxDepth = 64

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
        }

        mutating func value(at path: ArraySlice<Substring>) -> String? {
            skipSpace()
            guard let step = path.first else { return scalar() }
            switch current {
            case UInt8(ascii: "{"):
                index += 1
                while true {
                    skipSpace()
                    guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                    skipSpace()
                    guard current == UInt8(ascii: ":") else { return nil }
                    index += 1
                    if key == step { return value(at: path.dropFirst()) }
                    guard skipValue() else { return nil }
                    skipSpace()
                    guard current == UInt8(ascii: ",") else { return nil }
                    index += 1
                }
            case UInt8(ascii: "["):
                guard let wanted = Int(step) else { return nil }
                index += 1
                skipSpace()
                if current == UInt8(ascii: "]") { return nil }
                var position = 0
                while true {
                    if position == wanted { return value(at: path.dropFirst()) }
                    guard skipValue() else { return nil }
                    skipSpace()
                    guard current == UInt8(ascii: ",") else { return nil }
                    index += 1
                    position += 1
                }
            default: return nil
            }
        }

        /// A string, number or literal at the cursor, as text.
        mutating func scalar() -> String? {
            skipSpace()
            if current == UInt8(ascii: "\"") { return string() }
            let start = index
            guard skipValue(), let first = bytes[start...].first, first != UInt8(ascii: "{"), first != UInt8(ascii: "[") else { return nil }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// The string at the cursor, unescaped (invalid UTF-8 as U+FFFD: a provider's text is only shown); nil
        /// for a malformed one.
        mutating func string() -> String? {
            JSONEscaping.unescape(bytes, at: &index).map { String(decoding: $0, as: UTF8.self) }
        }

        /// Moves past one value of any kind; false when it is not JSON.
        mutating func skipValue() -> Bool {
            skipSpace()
            guard let byte = current else { return false }
            switch byte {
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                depth += 1
                defer { depth -= 1 }
                guard depth <= Self.maxDepth else { return false }
                index += 1
                skipSpace()
                if current == close { index += 1; return true }
                while true {
                    if close == UInt8(ascii: "}") {
                        skipSpace()
                        guard string() != nil else { return false }
                        skipSpace()
                        guard current == UInt8(ascii: ":") else { return false }
                        index += 1
                    }
                    guard skipValue() else { return false }
                    skipSpace()
                    if current == close { index += 1; return true }
                    guard current == UInt8(ascii: ",") else { return false }
                    index += 1
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: String) -> Bool {
            guard bytes[index...].starts(with: word.utf8) else { return false }
            index += word.utf8.count
            return true
        }

        /// RFC 8259's number: `-`, then `0` or digits not starting with 0, then an optional fraction and exponent.
        mutating func number() -> Bool {
            func digits() -> Int {
                let start = index
                while let byte = current, ASCII.isDigit(byte) { index += 1 }
                return index - start
            }
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") { index += 1 } else if digits() == 0 { return false }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return false }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return false }
            }
            return true
        }
    }
}
