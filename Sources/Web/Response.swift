// One HTTP answer: a status, extra headers and the JSON object `{"detail": ..., ...}` the contract specifies.
import Gateway

public struct Response: Sendable, Equatable {
    public typealias Value = JSONValue

    public var status: Int
    public var headers: [Header]
    /// Members in order; "detail" first.
    public var fields: [(String, Value)]

    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    public init(status: Int, detail: String, extra: [(String, Value)] = [], headers: [(String, String)] = []) {
        self.status = status
        self.fields = [("detail", .string(detail))] + extra
        self.headers = headers.map { Header(name: $0.0, value: $0.1) }
    }

    public var detail: String { if case .string(let text) = fields[0].1 { text } else { "" } }

    public static func == (a: Response, b: Response) -> Bool {
        a.status == b.status && a.headers == b.headers && a.fields.elementsEqual(b.fields) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public var json: String { JSONWriter.object(fields, compact: false) }

    /// The whole answer as a gateway sends it, with the JSON of the contract.
    func bytes() -> [UInt8] { bytes(contentType: "application/json", policy: nil, body: json + "\n") }

    /// The whole answer with `page` in place of the JSON, for a browser's form post. Two functions rather than an
    /// optional page, which would be destroyed through its metadata (docs/design.md, generic types on a request's
    /// path).
    func bytes(page: HTMLPage) -> [UInt8] {
        bytes(contentType: "text/html; charset=utf-8", policy: page.contentSecurityPolicy, body: page.text)
    }

    /// Headers as lines of text, not name-value pairs (docs/design.md, generic types on a request's path). The body
    /// is made only when sent: a 204 has none.
    private func bytes(contentType: String, policy: String?, body: @autoclosure () -> String) -> [UInt8] {
        let extra = headers.map { $0.name + ": " + $0.value }
        // A 204 (the CORS preflight's answer) has no body, so no JSON and no Content-Type (RFC 9110 section 15.3.5).
        if status == 204 { return CGI.response(status: 204, headerLines: ["Cache-Control: no-store"] + extra, body: "") }
        var head = ["Content-Type: " + contentType, "Cache-Control: no-store", "X-Content-Type-Options: nosniff"]
        if let policy { head.append("Content-Security-Policy: " + policy) }
        return CGI.response(status: status, headerLines: head + extra, body: body())
    }
}
