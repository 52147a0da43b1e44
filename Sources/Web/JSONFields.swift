// A strict RFC 8259 parser for one JSON object, keeping its top-level string members; small, bounded and
// ours, so that a hostile body costs little and a process start loads no Foundation.
import Platform

enum JSONFields {
    static let maxDepth = 16

    static func parse(_ bytes: [UInt8]) throws(WebError) -> RequestFields {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        guard parser.peek == UInt8(ascii: "{") else { throw .badRequest("Request body must be a JSON object") }
        var fields = RequestFields()
        try parser.object(depth: 1) { key, value throws(WebError) in try fields.insert(key, value) }
        parser.skipSpace()
        guard parser.atEnd else { throw Parser.malformed }
        return fields
    }

    private struct Parser {
        static let malformed = WebError.badRequest("Malformed JSON body")
        let bytes: [UInt8]
        var i = 0

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws(WebError) {
            guard peek == c else { throw Self.malformed }
            i += 1
        }

        /// Calls `member` with each key and its value when that value is a string (nil otherwise).
        mutating func object(depth: Int, member: (String, String?) throws(WebError) -> Void) throws(WebError) {
            guard depth <= maxDepth else { throw WebError.badRequest("JSON nested too deeply") }
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipSpace()
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                if peek == UInt8(ascii: "\"") { try member(key, try string()) } else { try value(depth: depth); try member(key, nil) }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "}"))
                return
            }
        }

        mutating func value(depth: Int) throws(WebError) {
            switch peek {
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "{"): try object(depth: depth + 1) { _, _ in }
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func array(depth: Int) throws(WebError) {
            guard depth <= maxDepth else { throw WebError.badRequest("JSON nested too deeply") }
            try expect(UInt8(ascii: "["))
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipSpace()
                try value(depth: depth)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        }

        mutating func literal(_ word: StaticString) throws(WebError) {
            let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard i + w.count <= bytes.count, bytes[i..<i + w.count].elementsEqual(w) else { throw Self.malformed }
            i += w.count
        }

        mutating func number() throws(WebError) {
            func digits() -> Int { let s = i; while let c = peek, (0x30...0x39).contains(c) { i += 1 }; return i - s }
            if peek == UInt8(ascii: "-") { i += 1 }
            let first = peek
            guard digits() > 0 else { throw Self.malformed }
            if first == UInt8(ascii: "0") && bytes[i - 1] != first { throw Self.malformed }
            if peek == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { throw Self.malformed } }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw Self.malformed }
            }
        }

        /// A lone surrogate, a raw control character or invalid UTF-8 is malformed rather than repaired, so what
        /// the service sees is exactly what was sent.
        mutating func string() throws(WebError) -> String {
            guard let out = JSONEscaping.unescape(bytes, at: &i) else { throw Self.malformed }
            // Decoding repairs what is not UTF-8, so the text is valid when its bytes are the ones decoded: the same
            // answer as `String(validating:as:)`, which runs unspecialised (docs/design.md, generic types on a
            // request's path).
            let text = String(decoding: out, as: UTF8.self)
            guard text.utf8.elementsEqual(out) else { throw WebError.badRequest("Body is not valid UTF-8") }
            return text
        }
    }
}
