// The CGI gateway from literal meta-variables (RFC 3875), and the bytes it writes back.
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Gateway

@Suite struct CGITests {
    /// Stands in for stdin: hands out up to `available` bytes and records how much was asked for.
    final class Input {
        let available: [UInt8]
        var requested = 0
        init(_ text: String) { available = Array(text.utf8) }
        init(count: Int) { available = [UInt8](repeating: 0x61, count: count) }
        func read(_ n: Int) -> [UInt8] { requested += n; return Array(available.prefix(n)) }
    }

    @Test func readsExactlyContentLengthBytes() throws {
        let input = Input(#"{"a":"b"}trailing"#)
        let request = CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
                                             "CONTENT_LENGTH": "9", "HTTP_ACCEPT": "*/*"], readBody: input.read)
        #expect(request.method == "POST" && request.contentType == "application/json" && request.accept == "*/*")
        #expect(request.body == Array(#"{"a":"b"}"#.utf8) && request.bodyFault == nil)
    }

    /// A CGI process keeps the settings and the meta-variables it reads, whole names only (HTTP_ACCEPT, not
    /// HTTP_ACCEPT_ENCODING), and nothing else a web server passes; without prefixes it keeps everything.
    @Test func aCGIProcessKeepsTheSettingsAndTheVariablesItReads() {
        let lines = ["OTP_TEST_SETTING=a=b", "HTTP_ACCEPT=*/*", "HTTP_ACCEPT_ENCODING=gzip", "SERVER_SOFTWARE=Apache",
                     "REQUEST_URI=/api/otp/verify", "PATH=/usr/bin"]
        let entries: [UnsafeMutablePointer<CChar>?] = lines.map { strdup($0) } + [nil]
        defer { entries.forEach { free($0) } }
        let kept = CGI.variables(entries, keeping: ["OTP_"])
        #expect(kept == ["OTP_TEST_SETTING": "a=b", "HTTP_ACCEPT": "*/*", "REQUEST_URI": "/api/otp/verify"])
        #expect(CGI.variables(entries, keeping: nil).count == 6)
    }

    /// RFC 3875 section 4.1.2: no CONTENT_LENGTH means no body.
    @Test func noContentLengthMeansAnEmptyBody() throws {
        let input = Input("ignored")
        #expect(CGI.request(from: ["REQUEST_METHOD": "POST"], readBody: input.read).body.isEmpty)
        #expect(input.requested == 0)
    }

    @Test(arguments: ["-1", "abc", "1e3", " 5", "99999999999999999999999"])
    func refusesABadContentLength(value: String) {
        #expect(CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": value], readBody: Input("x").read).bodyFault == .badContentLength)
    }

    @Test func aShortBodyIsRefused() {
        let request = CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "50"], readBody: Input("short").read)
        #expect(request.bodyFault == .shorterThanContentLength && request.body.isEmpty)
    }

    /// mod_cgid resets the connection of a CGI that does not read its body, so a 413 drains it first.
    @Test func anOversizedBodyIsDrainedUpToABoundThenRefused() {
        for length in [Request.maxBodyBytes + 1, 50 * 1024 * 1024] {
            let input = Input(count: min(length, Request.maxDiscardBytes))
            #expect(CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": String(length)], readBody: input.read).bodyFault == .tooLarge)
            #expect(input.requested == min(length, Request.maxDiscardBytes))
        }
    }

    /// The abuse limits' inputs reach the plain Request; the configuration never comes from HTTP_* variables.
    @Test func passesThePeerOriginAndForwardedForOn() throws {
        let request = CGI.request(from: ["REQUEST_METHOD": "POST", "REMOTE_ADDR": "192.0.2.1", "HTTP_ORIGIN": "https://shop.example",
                                             "HTTP_X_FORWARDED_FOR": "198.51.100.7"], readBody: { _ in [] })
        #expect(request.remoteAddress == "192.0.2.1" && request.origin == "https://shop.example" && request.forwardedFor == "198.51.100.7")
    }

    /// RFC 3875 section 6.3: the Status header first, then the handler's headers in order, a blank line, the body.
    @Test func writesADocumentResponse() {
        let bytes = CGI.response(status: 413, headerLines: ["Content-Type: application/json", "Vary: Origin"], body: "{}\n")
        #expect(String(decoding: bytes, as: UTF8.self) == "Status: 413 Content Too Large\r\nContent-Type: application/json\r\nVary: Origin\r\n\r\n{}\n")
    }
}
