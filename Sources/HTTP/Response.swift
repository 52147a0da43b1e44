// One HTTP answer: a status, extra headers and the JSON object `{"detail": ..., ...}` the contract specifies.
import Crypto
import OTP
import System

public struct Response: Sendable, Equatable {
    public typealias Value = JSONValue

    public var status: Int
    public var headers: [Header]
    /// Members in order; "detail" first.
    public var fields: [(String, Value)]
    /// What the client sent that an HTML answer pre-fills its form with. Not part of the JSON, nor of equality:
    /// the contract is the status, the headers and the JSON.
    public var formValues: [String: String] = [:]
    /// What an HTML answer's language is chosen from: the request's choice, then the site's default (both nil,
    /// so English, when the request failed before they were known). Not part of the JSON either.
    public var requestedLocale: LanguageTag?
    public var defaultLocale: LanguageTag?

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
