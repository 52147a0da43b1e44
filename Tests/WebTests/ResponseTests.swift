// The bytes of an answer: its status line, headers and JSON, and the one status each refusal gets.
import Testing
@testable import Web
import OTP

@Suite struct ResponseTests {
    @Test func rendersStatusHeadersAndJSON() {
        let text = String(decoding: Response(.coolingDown(retryAfter: 12)).bytes(), as: UTF8.self)
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
            (.badRequest("x"), 400), (.invalidCode, 400), (.tooManyAttempts, 429), (.coolingDown(retryAfter: 1), 429),
            (.misconfigured("x"), 500), (.providerNotConfigured(.sms, missing: ["X"]), 500), (.deliveryFailed(.email), 500),
            (.storeFailed, 500), (.storeBusy, 503), (.limited(.sends, retryAfter: 9), 429), (.limited(.clientSends, retryAfter: 9), 429),
            (.limited(.failures, retryAfter: 9), 429),
        ]
        for (error, status) in cases { #expect(Response(error).status == status && Response(WebError.service(error)) == Response(error)) }
        let own: [(WebError, Int)] = [(.badRequest("x"), 400), (.methodNotAllowed, 405), (.payloadTooLarge, 413),
                                      (.unsupportedMediaType, 415), (.originNotAllowed, 403)]
        for (error, status) in own { #expect(Response(error).status == status) }
        #expect(Response(WebError.methodNotAllowed).headers.first?.name == "Allow")
        #expect(Response(OTPError.limited(.clientSends, retryAfter: 9)).headers.first == Response.Header(name: "Retry-After", value: "9"))
    }

    @Test func aNoContentAnswerHasNoBodyAndNoContentType() {
        let text = String(decoding: Response(status: 204, detail: "", headers: [("Vary", "Origin")]).bytes(), as: UTF8.self)
        #expect(text == "Status: 204 No Content\r\nCache-Control: no-store\r\nVary: Origin\r\n\r\n")
    }
}
