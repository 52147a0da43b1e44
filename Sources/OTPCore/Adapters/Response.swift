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

    public var json: String {
        "{" + fields.map { key, value in
            switch value {
            case .string(let text): "\(Self.quoted(key)): \(Self.quoted(text))"
            case .integer(let number): "\(Self.quoted(key)): \(number)"
            }
        }.joined(separator: ", ") + "}"
    }

    /// Escapes every control character and `<`, `>`, `&` too, so the JSON is also inert if sniffed as HTML.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || "<>&".unicodeScalars.contains(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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
