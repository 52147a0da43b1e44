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

    /// The whole answer as a gateway sends it: `page` in place of the JSON of the contract for a browser's form post.
    func bytes(page: HTMLPage? = nil) -> [UInt8] {
        // A 204 (the CORS preflight's answer) has no body, so no JSON and no Content-Type (RFC 9110 section 15.3.5).
        if status == 204 { return CGI.response(status: 204, headers: [("Cache-Control", "no-store")] + headerPairs, body: "") }
        var head: [(name: String, value: String)] = [("Content-Type", page == nil ? "application/json" : "text/html; charset=utf-8"),
                                                      ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
        if let page { head.append(("Content-Security-Policy", page.contentSecurityPolicy)) }
        return CGI.response(status: status, headers: head + headerPairs, body: page?.text ?? json + "\n")
    }

    private var headerPairs: [(name: String, value: String)] { headers.map { ($0.name, $0.value) } }
}
