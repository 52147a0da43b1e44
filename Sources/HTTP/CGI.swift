// CGI/1.1 (RFC 3875) from the perspective of the child process: the only code that knows CGI.
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import OTP
import System

public enum CGI {
    /// The process environment, for production; tests pass their own dictionaries to `request(from:readBody:)`.
    /// Split as bytes and sized up front: this runs on every request, and `String.firstIndex(of:)` walks
    /// grapheme clusters, which made it half of a verify's instructions.
    public static func processEnvironment() -> [String: String] {
        var count = 0
        while environ[count] != nil { count += 1 }
        var env = [String: String](minimumCapacity: count)
        for index in 0..<count {
            guard let entry = environ[index] else { continue }
            let bytes = UnsafeRawBufferPointer(start: entry, count: strlen(entry))
            guard let eq = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            env[String(decoding: bytes[..<eq], as: UTF8.self)] = String(decoding: bytes[(eq + 1)...], as: UTF8.self)
        }
        return env
    }

    /// The request's meta-variables (RFC 3875 section 4.1), without its body.
    public static func request(from env: [String: String]) -> Request {
        Request(method: env["REQUEST_METHOD"] ?? "GET", contentType: env["CONTENT_TYPE"], accept: env["HTTP_ACCEPT"],
                acceptLanguage: env["HTTP_ACCEPT_LANGUAGE"], remoteAddress: env["REMOTE_ADDR"], origin: env["HTTP_ORIGIN"], forwardedFor: env["HTTP_X_FORWARDED_FOR"],
                referer: env["HTTP_REFERER"])
    }

    /// The whole request, meta-variables and body.
    public static func request(from env: [String: String], readBody: (Int) -> [UInt8]) throws(OTPError) -> Request {
        var request = request(from: env)
        request.body = try body(from: env, readBody: readBody)
        return request
    }

    /// The body read through CONTENT_LENGTH (section 4.2: the server need not send EOF, so exactly that many
    /// bytes are read). One too large is still read and discarded up to a bound, then refused.
    public static func body(from env: [String: String], readBody: (Int) -> [UInt8]) throws(OTPError) -> [UInt8] {
        guard let lengthText = env["CONTENT_LENGTH"], !lengthText.isEmpty else { return [] }
        guard ASCII.isNumber(lengthText.utf8), let length = Int(lengthText) else { throw .badRequest("Bad Content-Length") }
        if length > Request.maxBodyBytes {
            _ = readBody(min(length, Request.maxDiscardBytes))
            throw .payloadTooLarge
        }
        let body = readBody(length)
        guard body.count == length else { throw .badRequest("Request body is shorter than its Content-Length") }
        return body
    }

    /// Reads up to `count` bytes of stdin, fewer only at end of file (or on a read error, which the length
    /// check then answers).
    public static func readStandardInput(_ count: Int) -> [UInt8] { (try? Syscall.read(0, upTo: count)) ?? [] }

    /// The whole answer in one write: a `Status` header, then the rest (RFC 3875 section 6.3). A browser's
    /// form post gets a page offering `endpoint`'s next step; every other client the JSON of the contract.
    public static func render(_ response: Response, pageFor endpoint: Endpoint? = nil) -> [UInt8] {
        if response.status == 204 { return renderEmpty(response) }
        let page = endpoint.map { HTMLPage(response: response, endpoint: $0) }
        var head = "Status: \(response.status) \(Response.reason(response.status))\r\n"
        head += "Content-Type: \(page == nil ? "application/json" : "text/html; charset=utf-8")\r\n"
        head += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
        if let page { head += "Content-Security-Policy: \(page.contentSecurityPolicy)\r\n" }
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        return Array((head + "\r\n" + (page?.text ?? response.json + "\n")).utf8)
    }

    /// A 204 (the CORS preflight's answer) has no body, so no JSON and no Content-Type (RFC 9110 section 15.3.5).
    static func renderEmpty(_ response: Response) -> [UInt8] {
        var head = "Status: 204 \(Response.reason(204))\r\nCache-Control: no-store\r\n"
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        return Array((head + "\r\n").utf8)
    }

    public static func writeStandardOutput(_ bytes: [UInt8]) { try? Syscall.writeAll(1, bytes) }
}
