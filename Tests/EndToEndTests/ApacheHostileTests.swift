// What only a real Apache shows: lying and truncated bodies on the wire, and the CORS preflight through mod_cgid.
import Foundation
import Testing
import TestSupport

extension LocalApache {
    /// Sends `request` as raw bytes, then half-closes (so a short body ends early), and reads the whole answer.
    func exchange(_ request: [UInt8]) throws -> (status: Int?, text: String) {
        guard let fd = Loopback.connection(port: port) else { throw TestFailure("Apache does not accept on \(port)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        let text = Loopback.readToEnd(fd)
        let status = text.hasPrefix("HTTP/1.1 ") ? Int(text.dropFirst(9).prefix(3)) : nil
        return (status, text)
    }

    func rawPost(_ endpoint: String, body: String, declaredLength: Int, extraHeaders: String = "") throws -> (status: Int?, text: String) {
        let head = "POST /api/otp/\(endpoint) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(declaredLength)\r\nConnection: close\r\n\(extraHeaders)\r\n"
        return try exchange(Array((head + body).utf8))
    }
}

@Suite(.localApache(["OTP_ALLOWED_ORIGINS": "https://shop.example"])) struct ApacheHostileTests {
    let body = #"{"channel": "email", "identifier": "wire@example.com"}"#

    /// The client promises more than it sends and closes: Apache reads to the end of what came, and the answer
    /// is a 400 (from Apache or from the CGI), never a 5xx, and nothing is sent.
    @Test(arguments: [1, 20, 1000, 16 * 1024])
    func aBodyShorterThanItsContentLengthIs400(missing: Int) throws {
        let apache = try LocalApache.running
        let answer = try apache.rawPost("generate", body: body, declaredLength: body.utf8.count + missing)
        // mod_fcgid reads the whole body before it passes a request on, and answers a truncated one with its
        // own 500: the service never sees that request.
        #expect(answer.status == (TestGateway.current == .fcgid ? 500 : 400), "\(answer.text)")
        #expect(try apache.outbox.messages(to: "wire@example.com").isEmpty)
    }

    @Test func aContentLengthShorterThanTheBodyReadsOnlyThatMuch() throws {
        let apache = try LocalApache.running
        let answer = try apache.rawPost("generate", body: body, declaredLength: 20)
        #expect(answer.status == 400 && answer.text.contains("Malformed JSON body"), "\(answer.text)")
    }

    @Test func aHugeContentLengthIs413WithoutAReset() throws {
        let apache = try LocalApache.running
        let answer = try apache.rawPost("generate", body: body + String(repeating: " ", count: 20_000), declaredLength: body.utf8.count + 20_000)
        #expect(answer.status == 413, "\(answer.text)")
    }

    @Test func anUnlistedOriginIs403() throws {
        let apache = try LocalApache.running
        let answer = try apache.rawPost("generate", body: body, declaredLength: body.utf8.count, extraHeaders: "Origin: https://evil.example\r\n")
        #expect(answer.status == 403 && answer.text.contains("Origin not allowed"), "\(answer.text)")
    }

    @Test func aPreflightFromAListedOriginIs204WithCORSHeaders() throws {
        let apache = try LocalApache.running
        let answer = try apache.exchange(Array(("OPTIONS /api/otp/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://shop.example\r\n"
            + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n").utf8))
        #expect(answer.status == 204, "\(answer.text)")
        #expect(answer.text.contains("Access-Control-Allow-Origin: https://shop.example\r\n"))
        #expect(answer.text.contains("Access-Control-Allow-Headers: Content-Type\r\n"))
    }
}
