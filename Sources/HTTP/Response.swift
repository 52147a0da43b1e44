// One HTTP answer: a status, extra headers and the JSON object `{"detail": ..., ...}` the contract specifies.

public struct Response: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
    }

    public var status: Int
    public var headers: [Header]
    /// Members in order; "detail" first.
    public var fields: [(String, Value)]
    /// What the client sent that an HTML answer pre-fills its form with. Not part of the JSON, nor of equality:
    /// the contract is the status, the headers and the JSON.
    public var formValues: [String: String] = [:]

    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    public init(status: Int, detail: String, extra: [(String, Value)] = [], headers: [(String, String)] = []) {
        self.status = status
        self.fields = [("detail", .string(detail))] + extra
        self.headers = headers.map { Header(name: $0.0, value: $0.1) }
    }

    public init(_ error: OTPError) { self.init(status: error.status, detail: error.detail, headers: error.headers) }

    public var detail: String { if case .string(let text) = fields[0].1 { text } else { "" } }

    public static func == (a: Response, b: Response) -> Bool {
        a.status == b.status && a.headers == b.headers && a.fields.elementsEqual(b.fields) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public var json: String { Self.json(fields, compact: false) }

    /// Built by appending bytes: generic `map`/`joined` and per-scalar string appends cost more instructions
    /// than the rest of a verify. `compact` leaves out the spaces, as a token's claims usually are.
    static func json(_ members: [(String, Value)], compact: Bool) -> String {
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
        let hex = Array("0123456789abcdef".utf8)
        func escape(_ value: UInt32) {
            out += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(value >> UInt32(shift) & 0xf)]) }
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

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Internal Server Error"
        }
    }
}
