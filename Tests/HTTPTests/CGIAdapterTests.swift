// The CGI adapter from literal meta-variables (RFC 3875), and the bytes it writes back.
import Testing
@testable import HTTP
import OTP

@Suite struct CGIAdapterTests {
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
        let request = try CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
                                             "CONTENT_LENGTH": "9", "HTTP_ACCEPT": "*/*"], readBody: input.read)
        #expect(request.method == "POST" && request.contentType == "application/json" && request.accept == "*/*")
        #expect(request.body == Array(#"{"a":"b"}"#.utf8))
    }

    /// RFC 3875 section 4.1.2: no CONTENT_LENGTH means no body.
    @Test func noContentLengthMeansAnEmptyBody() throws {
        let input = Input("ignored")
        #expect(try CGI.request(from: ["REQUEST_METHOD": "POST"], readBody: input.read).body.isEmpty)
        #expect(input.requested == 0)
    }

    @Test(arguments: ["-1", "abc", "1e3", " 5", "99999999999999999999999"])
    func refusesABadContentLength(value: String) {
        #expect(throws: OTPError.badRequest("Bad Content-Length")) {
            try CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": value], readBody: Input("x").read)
        }
    }

    @Test func aShortBodyIsRefused() {
        #expect(throws: OTPError.badRequest("Request body is shorter than its Content-Length")) {
            try CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "50"], readBody: Input("short").read)
        }
    }

    /// mod_cgid resets the connection of a CGI that does not read its body, so a 413 drains it first.
    @Test func anOversizedBodyIsDrainedUpToABoundThenRefused() {
        for length in [Request.maxBodyBytes + 1, 50 * 1024 * 1024] {
            let input = Input(count: min(length, Request.maxDiscardBytes))
            #expect(throws: OTPError.payloadTooLarge) {
                try CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": String(length)], readBody: input.read)
            }
            #expect(input.requested == min(length, Request.maxDiscardBytes))
        }
    }

    @Test func rendersStatusHeadersAndJSON() {
        let text = String(decoding: CGI.render(Response(.coolingDown(retryAfter: 12))), as: UTF8.self)
        #expect(text == "Status: 429 Too Many Requests\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                + "X-Content-Type-Options: nosniff\r\nRetry-After: 12\r\n\r\n"
                + #"{"detail": "Please wait 12 seconds before requesting a new code"}"# + "\n")
    }

    @Test func jsonEscapesControlsAndMarkup() {
        let response = Response(status: 400, detail: "a\"b\\c\nd\u{1}<e>&\u{2028}", extra: [("n", .integer(-3))])
        #expect(response.json == #"{"detail": "a\"b\\c\nd\u0001\u003ce\u003e\u0026\u2028", "n": -3}"#)
    }

    @Test func everyErrorHasOneStatus() {
        let cases: [(OTPError, Int)] = [
            (.badRequest("x"), 400), (.invalidCode, 400), (.methodNotAllowed, 405), (.payloadTooLarge, 413),
            (.unsupportedMediaType, 415), (.tooManyAttempts, 429), (.coolingDown(retryAfter: 1), 429),
            (.misconfigured("x"), 500), (.providerNotConfigured(.sms, missing: ["X"]), 500), (.deliveryFailed(.email), 500),
            (.storeFailed, 500), (.storeBusy, 503), (.limited(.sends, retryAfter: 9), 429), (.limited(.client, retryAfter: 9), 429),
            (.limited(.failures, retryAfter: 9), 429), (.originNotAllowed, 403),
        ]
        for (error, status) in cases { #expect(Response(error).status == status) }
        #expect(Response(OTPError.methodNotAllowed).headers.first?.name == "Allow")
        #expect(Response(OTPError.limited(.client, retryAfter: 9)).headers.first == Response.Header(name: "Retry-After", value: "9"))
    }

    /// The abuse limits' inputs reach the plain Request; the configuration never comes from HTTP_* variables.
    @Test func passesThePeerOriginAndForwardedForOn() throws {
        let request = try CGI.request(from: ["REQUEST_METHOD": "POST", "REMOTE_ADDR": "192.0.2.1", "HTTP_ORIGIN": "https://shop.example",
                                             "HTTP_X_FORWARDED_FOR": "198.51.100.7"], readBody: { _ in [] })
        #expect(request.remoteAddress == "192.0.2.1" && request.origin == "https://shop.example" && request.forwardedFor == "198.51.100.7")
    }

    @Test func aNoContentAnswerHasNoBodyAndNoContentType() {
        let text = String(decoding: CGI.render(Response(status: 204, detail: "", headers: [("Vary", "Origin")])), as: UTF8.self)
        #expect(text == "Status: 204 No Content\r\nCache-Control: no-store\r\nVary: Origin\r\n\r\n")
    }
}
