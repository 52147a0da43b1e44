// Hostile requests, each with the answer it must get: a clear 4xx from the built executables, never a 5xx.
import Foundation
import Testing
import TestSupport

/// One hostile request as a CGI run receives it. `length` overrides CONTENT_LENGTH (the body is sent as is).
struct HostileRequest: CustomTestStringConvertible, Sendable {
    let name: String
    var program = "generate"
    var method = "POST"
    var contentType: String? = "application/json"
    var body: [UInt8]
    var length: String?
    var extra: [String: String] = [:]
    var settings: [String: String] = [:]
    let status: Int
    var detail: String?

    var testDescription: String { name }

    static func json(_ name: String, _ text: String, program: String = "generate", _ status: Int, _ detail: String? = nil) -> Self {
        HostileRequest(name: name, program: program, body: Array(text.utf8), status: status, detail: detail)
    }

    static func form(_ name: String, _ text: String, _ status: Int, _ detail: String? = nil) -> Self {
        HostileRequest(name: name, contentType: "application/x-www-form-urlencoded", body: Array(text.utf8), status: status, detail: detail)
    }
}

private let valid = #"{"channel": "email", "identifier": "joe@example.com"}"#
private let invalidEmail = "Invalid email address", invalidPhone = "Invalid phone number; use E.164, e.g. +14155552671"
private let invalidCode = "Invalid or expired code", malformed = "Malformed JSON body", notUTF8 = "Body is not valid UTF-8"

let hostileRequests: [HostileRequest] = [
    // The length of the body
    HostileRequest(name: "CONTENT_LENGTH longer than the body", body: Array(valid.utf8), length: "200", status: 400,
                   detail: "Request body is shorter than its Content-Length"),
    HostileRequest(name: "CONTENT_LENGTH shorter than the body", body: Array(valid.utf8), length: "20", status: 400, detail: malformed),
    HostileRequest(name: "CONTENT_LENGTH not a number", body: Array(valid.utf8), length: "abc", status: 400, detail: "Bad Content-Length"),
    HostileRequest(name: "CONTENT_LENGTH negative", body: Array(valid.utf8), length: "-5", status: 400, detail: "Bad Content-Length"),
    HostileRequest(name: "CONTENT_LENGTH with a space", body: Array(valid.utf8), length: " 53", status: 400, detail: "Bad Content-Length"),
    HostileRequest(name: "CONTENT_LENGTH beyond Int", body: Array(valid.utf8), length: "99999999999999999999999", status: 400,
                   detail: "Bad Content-Length"),
    HostileRequest(name: "CONTENT_LENGTH of 5 MB, body small", body: Array(valid.utf8), length: "5000000", status: 413),
    HostileRequest(name: "a body of 17 KB", body: Array(repeating: UInt8(ascii: " "), count: 17 * 1024), status: 413),
    HostileRequest(name: "a 15 KB member beside valid fields",
                   body: Array((#"{"pad": ""# + String(repeating: "x", count: 15_000) + #"", "channel": "email", "identifier": "joe@example.com"}"#).utf8),
                   status: 200),
    .json("a truncated JSON body", #"{"channel": "email", "ident"#, 400, malformed),
    // Encodings and bytes
    HostileRequest(name: "invalid UTF-8 in a string", body: Array(#"{"channel": "email", "identifier": "jo"#.utf8) + [0xc3, 0x28]
                   + Array(#"@example.com"}"#.utf8), status: 400, detail: notUTF8),
    HostileRequest(name: "an overlong UTF-8 '@'", body: Array(#"{"channel": "email", "identifier": "joe"#.utf8) + [0xc1, 0x80]
                   + Array(#"example.com"}"#.utf8), status: 400, detail: notUTF8),
    HostileRequest(name: "a raw NUL byte in a string", body: Array(#"{"channel": "email", "identifier": "joe"#.utf8) + [0]
                   + Array(#"@example.com"}"#.utf8), status: 400, detail: malformed),
    .json("an escaped NUL in the identifier", #"{"channel": "email", "identifier": "joe\u0000@example.com"}"#, 400, invalidEmail),
    .json("a byte order mark", "\u{FEFF}" + valid, 400, "Request body must be a JSON object"),
    // Structure
    .json("JSON nested 100 deep", #"{"channel": "email", "identifier": "joe@example.com", "x": "# + String(repeating: "[", count: 100)
          + String(repeating: "]", count: 100) + "}", 400, "JSON nested too deeply"),
    .json("a top-level array", "[" + valid + "]", 400, "Request body must be a JSON object"),
    .json("duplicate keys", #"{"channel": "email", "identifier": "a@example.com", "identifier": "b@example.com"}"#, 400,
          "duplicate field identifier"),
    .json("a number for the identifier", #"{"channel": "email", "identifier": 4155552671}"#, 400, "identifier must be a string"),
    .json("a number for the code", #"{"channel": "email", "identifier": "joe@example.com", "code": 123456}"#, program: "verify", 400,
          "code must be a string"),
    .json("an array for the channel", #"{"channel": ["email"], "identifier": "joe@example.com"}"#, 400, "channel must be a string"),
    .json("null for the identifier", #"{"channel": "email", "identifier": null}"#, 400, "identifier must be a string"),
    .json("a huge exponent elsewhere", #"{"n": 1e999999999, "channel": "email", "identifier": "joe@example.com"}"#, 200),
    // CR/LF in every field
    .json("CR/LF inside the identifier", #"{"channel": "email", "identifier": "joe@example.com\r\nBcc: x@evil.example"}"#, 400, invalidEmail),
    .json("CR/LF around the identifier (trimmed)", #"{"channel": "email", "identifier": "\r\njoe@example.com\r\n"}"#, 200),
    .json("CR/LF inside the channel", #"{"channel": "em\r\nail", "identifier": "joe@example.com"}"#, 400, "channel must be email, sms or whatsapp"),
    .json("CR/LF inside the code", #"{"channel": "email", "identifier": "joe@example.com", "code": "123\r\n456"}"#, program: "verify", 400, invalidCode),
    .json("CR/LF inside a phone number", #"{"channel": "sms", "identifier": "+1415555\r\n2671"}"#, 400, invalidPhone),
    // Forms
    .form("a percent-encoded CR/LF", "channel=email&identifier=joe%40example.com%0d%0aBcc:x%40evil.example", 400, invalidEmail),
    .form("a double-encoded '@'", "channel=email&identifier=joe%2540example.com", 400, invalidEmail),
    .form("a percent-encoded NUL", "channel=email&identifier=joe%00%40example.com", 400, invalidEmail),
    .form("a broken escape", "channel=email&identifier=joe%zz%40example.com", 400, "Malformed form body"),
    .form("a truncated escape", "channel=email&identifier=joe%4", 400, "Malformed form body"),
    .form("an overlong UTF-8 escape", "channel=email&identifier=joe%C0%80%40example.com", 400, notUTF8),
    .form("a repeated field", "channel=email&identifier=a%40example.com&identifier=b%40example.com", 400, "duplicate field identifier"),
    .form("'+' as a space in an address", "channel=email&identifier=joe+otp%40example.com", 400, invalidEmail),
    // Unicode look-alikes
    .json("Arabic-Indic digits in the code", #"{"channel": "email", "identifier": "joe@example.com", "code": "١٢٣٤٥٦"}"#, program: "verify",
          400, invalidCode),
    .json("fullwidth digits in the code", #"{"channel": "email", "identifier": "joe@example.com", "code": "１２３４５６"}"#, program: "verify",
          400, invalidCode),
    .json("a fullwidth '@'", #"{"channel": "email", "identifier": "joe＠example.com"}"#, 400, invalidEmail),
    .json("a small '@' (U+FE6B)", #"{"channel": "email", "identifier": "joe﹫example.com"}"#, 400, invalidEmail),
    .json("Devanagari digits in a phone number", #"{"channel": "sms", "identifier": "+१४१५५५५२६७१"}"#, 400, invalidPhone),
    .json("a zero-width space in an address", #"{"channel": "email", "identifier": "joe\u200b@example.com"}"#, 400, invalidEmail),
    .json("a right-to-left override in an address", #"{"channel": "email", "identifier": "joe\u202e@example.com"}"#, 400, invalidEmail),
    // Sizes
    .json("a 300-byte address", #"{"channel": "email", "identifier": ""# + String(repeating: "a", count: 290) + #"@example.com"}"#, 400, invalidEmail),
    .json("a 65-byte local part", #"{"channel": "email", "identifier": ""# + String(repeating: "a", count: 65) + #"@example.com"}"#, 400, invalidEmail),
    .json("a 20-digit phone number", #"{"channel": "sms", "identifier": "+14155552671123456789"}"#, 400, invalidPhone),
    .json("a 1000-digit code", #"{"channel": "email", "identifier": "joe@example.com", "code": ""# + String(repeating: "1", count: 1000) + #""}"#,
          program: "verify", 400, invalidCode),
    // Headers, methods and content types
    HostileRequest(name: "an HTTP_PROXY header (httpoxy) changes nothing", body: Array(valid.utf8),
                   extra: ["HTTP_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"], status: 200),
    HostileRequest(name: "an Origin with a CR/LF", body: Array(valid.utf8), extra: ["HTTP_ORIGIN": "https://shop.example\r\nX-A: b"],
                   settings: ["OTP_ALLOWED_ORIGINS": "https://shop.example"], status: 403, detail: "Origin not allowed"),
    HostileRequest(name: "an X-Forwarded-For of 4 KB of garbage", body: Array(valid.utf8),
                   extra: ["HTTP_X_FORWARDED_FOR": String(repeating: "x,", count: 2048)], settings: ["OTP_TRUSTED_PROXIES": "127.0.0.1"], status: 200),
    HostileRequest(name: "no REMOTE_ADDR", body: Array(valid.utf8), extra: ["REMOTE_ADDR": ""], status: 200),
    HostileRequest(name: "method PUT", method: "PUT", body: Array(valid.utf8), status: 405),
    HostileRequest(name: "method TRACE", method: "TRACE", contentType: nil, body: [], status: 405),
    HostileRequest(name: "method lower-case post", method: "post", body: Array(valid.utf8), status: 405),
    HostileRequest(name: "method PROPFIND", method: "PROPFIND", contentType: "text/xml", body: Array("<a/>".utf8), status: 405),
    HostileRequest(name: "method CONNECT", method: "CONNECT", contentType: nil, body: [], status: 405),
    HostileRequest(name: "a CR/LF in the content type", contentType: "application/json\r\nX-A: b", body: Array(valid.utf8), status: 415),
    HostileRequest(name: "multipart/form-data", contentType: "multipart/form-data; boundary=x", body: Array("--x--".utf8), status: 415),
    HostileRequest(name: "no content type with a body", contentType: nil, body: Array(valid.utf8), status: 415),
    HostileRequest(name: "an upper-case content type with parameters", contentType: "APPLICATION/JSON; charset=UTF-8", body: Array(valid.utf8),
                   status: 200),
]

@Suite struct HostileRequestTests {
    @Test func theTableIsLargeEnough() { #expect(hostileRequests.count >= 40) }

    @Test(arguments: hostileRequests)
    func aHostileRequestGetsItsExpectedAnswer(_ request: HostileRequest) throws {
        let site = try Site(request.settings)
        var extra = request.extra
        if let length = request.length { extra["CONTENT_LENGTH"] = length }
        let answer = try site.runAll(request.program, [request.body], method: request.method, contentType: request.contentType, extra: extra)[0]
        #expect(answer.status == request.status, "\(answer.status) \(answer.detail ?? "") \(answer.stderr)")
        #expect(answer.status < 500)
        if let detail = request.detail { #expect(answer.detail == detail) }
        if request.status != 200 { #expect(try site.codes(for: "joe@example.com").isEmpty) }
    }
}
