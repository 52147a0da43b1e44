// A FastCGI request's PARAMS as its handler sees them: decoded, and filtered as a CGI process's environment is.
import Testing
@testable import Gateway

@Suite struct FastCGIPairsTests {
    let pairs = [("OTP_TEST_SETTING", "a=b"), ("HTTP_ACCEPT", "*/*"), ("HTTP_ACCEPT_ENCODING", "gzip"), ("SERVER_SOFTWARE", "nginx"),
                 ("REQUEST_URI", "/api/otp/verify"), ("OTP_LONG", String(repeating: "x", count: 300)), ("PATH", "/usr/bin")]

    /// What reaches the handler is what a CGI process keeps: the settings and the meta-variables it reads, whole
    /// names only (HTTP_ACCEPT, not HTTP_ACCEPT_ENCODING), and nothing else a web server sends.
    @Test func aResponderKeepsTheSettingsAndTheVariablesItReadsAsACGIProcessDoes() throws {
        let bytes = FastCGIPairs.encode(pairs)
        #expect(FastCGIPairs.environment(bytes, keeping: VariableFilter(prefixes: ["OTP_"]))
            == ["OTP_TEST_SETTING": "a=b", "HTTP_ACCEPT": "*/*", "REQUEST_URI": "/api/otp/verify", "OTP_LONG": String(repeating: "x", count: 300)])
        #expect(FastCGIPairs.environment(bytes, keeping: nil) == Dictionary(uniqueKeysWithValues: pairs))
    }

    /// A length that runs past the end, in a one-byte or a four-byte length, is a malformed stream, not a shorter value.
    @Test func aLengthPastTheEndIsMalformed() {
        let bytes = FastCGIPairs.encode(pairs)
        for cut in [1, 300, bytes.count - 3] {
            #expect(FastCGIPairs.environment(Array(bytes.dropLast(cut)), keeping: nil) == nil)
        }
        #expect(FastCGIPairs.environment(bytes + [5], keeping: nil) == nil)
    }
}
