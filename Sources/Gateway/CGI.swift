// CGI/1.1 (RFC 3875) from the perspective of the child process: the meta-variables and body in, a response out.
#if canImport(Glibc)
import Glibc
#endif
import Platform

public enum CGI {
    /// The process environment, for production; tests pass their own dictionaries to `request(from:readBody:)`.
    /// Split as bytes and sized up front: this runs on every request, and `String.firstIndex(of:)` walks
    /// grapheme clusters, which made it half of a verify's instructions. With `prefixes`, only the variables
    /// `VariableFilter` keeps.
    public static func processEnvironment(keeping prefixes: [String]? = nil) -> [String: String] {
        variables(environ, keeping: prefixes)
    }

    /// `NAME=value` entries up to a null, as `environ` holds them.
    static func variables(_ environ: UnsafePointer<UnsafeMutablePointer<CChar>?>, keeping prefixes: [String]?) -> [String: String] {
        let filter = prefixes.map(VariableFilter.init)
        var env = [String: String](minimumCapacity: 32)
        var index = 0
        while let entry = environ[index] {
            index += 1
            let bytes = UnsafeRawBufferPointer(start: entry, count: strlen(entry))
            guard let eq = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = UnsafeRawBufferPointer(rebasing: bytes[..<eq])
            if let filter, filter.keeps(name) == nil { continue }
            env[String(decoding: name, as: UTF8.self)] = String(decoding: bytes[(eq + 1)...], as: UTF8.self)
        }
        return env
    }

    /// Every meta-variable that `request(from:readBody:)` and the handlers read.
    public static let requestVariables = ["REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE",
                                          "REMOTE_ADDR", "HTTP_ORIGIN", "HTTP_X_FORWARDED_FOR", "HTTP_REFERER", "REQUEST_URI"]

    /// The whole request: its meta-variables (RFC 3875 section 4.1) and its body, or why the body was not read.
    public static func request(from env: [String: String], readBody: (Int) -> [UInt8]) -> Request {
        var request = Request(method: env["REQUEST_METHOD"] ?? "GET", contentType: env["CONTENT_TYPE"], accept: env["HTTP_ACCEPT"],
                              acceptLanguage: env["HTTP_ACCEPT_LANGUAGE"], remoteAddress: env["REMOTE_ADDR"], origin: env["HTTP_ORIGIN"],
                              forwardedFor: env["HTTP_X_FORWARDED_FOR"], referer: env["HTTP_REFERER"], environment: env)
        do throws(BodyFault) {
            request.body = try body(from: env, readBody: readBody)
        } catch {
            request.bodyFault = error
        }
        return request
    }

    /// The body read through CONTENT_LENGTH (section 4.2: the server need not send EOF, so exactly that many
    /// bytes are read). One too large is still read and discarded up to a bound, then refused.
    static func body(from env: [String: String], readBody: (Int) -> [UInt8]) throws(BodyFault) -> [UInt8] {
        guard let lengthText = env["CONTENT_LENGTH"], !lengthText.isEmpty else { return [] }
        guard ASCII.isNumber(lengthText.utf8), let length = Int(lengthText) else { throw .badContentLength }
        if length > Request.maxBodyBytes {
            _ = readBody(min(length, Request.maxDiscardBytes))
            throw .tooLarge
        }
        let body = readBody(length)
        guard body.count == length else { throw .shorterThanContentLength }
        return body
    }

    /// Reads up to `count` bytes of stdin, fewer only at end of file (or on a read error, which the length
    /// check then answers).
    public static func readStandardInput(_ count: Int) -> [UInt8] { (try? Syscall.read(0, upTo: count)) ?? [] }

    /// A document response (RFC 3875 section 6.3): the `Status` header, then the other header lines ("Name: value"),
    /// then the body, each part's UTF-8 copied once into bytes sized up front.
    public static func response(status: Int, headerLines: [String], body: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerLines.reduce(64 + body.utf8.count) { $0 + $1.utf8.count + 2 })
        out += "Status: ".utf8
        out += String(status).utf8
        out.append(UInt8(ascii: " "))
        out += reason(status).utf8
        out += "\r\n".utf8
        for line in headerLines {
            out += line.utf8
            out += "\r\n".utf8
        }
        out += "\r\n".utf8
        out += body.utf8
        return out
    }

    /// The reason phrases of the statuses the handlers answer with (RFC 9110 section 15).
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

    public static func writeStandardOutput(_ bytes: [UInt8]) { try? Syscall.writeAll(1, bytes) }
}
