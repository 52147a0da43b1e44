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
        var prefixed: [UInt8] = []
        #expect(FastCGIPairs.environment(bytes, keeping: VariableFilter(prefixes: ["OTP_"]), prefixed: &prefixed)
            == ["OTP_TEST_SETTING": "a=b", "HTTP_ACCEPT": "*/*", "REQUEST_URI": "/api/otp/verify", "OTP_LONG": String(repeating: "x", count: 300)])
        #expect(FastCGIPairs.environment(bytes, keeping: nil, prefixed: &prefixed) == Dictionary(uniqueKeysWithValues: pairs))
    }

    /// The variables kept by prefix (the settings) also come out as they came, so that a responder tells two requests'
    /// settings apart by their bytes: a request variable changes nothing, a setting's value or one setting more does.
    @Test func theSettingsBytesChangeWithTheSettingsAlone() {
        func prefixed(_ pairs: [(String, String)]) -> [UInt8] {
            var bytes: [UInt8] = []
            _ = FastCGIPairs.environment(FastCGIPairs.encode(pairs), keeping: VariableFilter(prefixes: ["OTP_"]), prefixed: &bytes)
            return bytes
        }
        let base = prefixed(pairs)
        #expect(base.count == 2 * 8 + "OTP_TEST_SETTING".utf8.count + 3 + "OTP_LONG".utf8.count + 300)
        #expect(prefixed(pairs.map { $0.0 == "REQUEST_URI" ? ($0.0, "/other") : $0 }) == base)
        #expect(prefixed(pairs.map { $0.0 == "OTP_TEST_SETTING" ? ($0.0, "a=c") : $0 }) != base)
        #expect(prefixed(pairs + [("OTP_MORE", "")]) != base)
        // The lengths tell a name's last byte from a value's first.
        #expect(prefixed([("OTP_AB", "C")]) != prefixed([("OTP_A", "BC")]))
    }

    /// A length that runs past the end, in a one-byte or a four-byte length, is a malformed stream, not a shorter value.
    @Test func aLengthPastTheEndIsMalformed() {
        let bytes = FastCGIPairs.encode(pairs)
        var prefixed: [UInt8] = []
        for cut in [1, 300, bytes.count - 3] {
            #expect(FastCGIPairs.environment(Array(bytes.dropLast(cut)), keeping: nil, prefixed: &prefixed) == nil)
        }
        #expect(FastCGIPairs.environment(bytes + [5], keeping: nil, prefixed: &prefixed) == nil)
    }
}
