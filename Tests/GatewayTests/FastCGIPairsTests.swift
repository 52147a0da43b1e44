// A FastCGI request's PARAMS as its handler sees them: decoded, and filtered as a CGI process's environment is.
import Testing
@testable import Gateway

@Suite struct FastCGIPairsTests {
    let pairs = [("OTP_TEST_SETTING", "a=b"), ("HTTP_ACCEPT", "*/*"), ("HTTP_ACCEPT_ENCODING", "gzip"), ("SERVER_SOFTWARE", "nginx"),
                 ("REQUEST_URI", "/api/otp/verify"), ("OTP_LONG", String(repeating: "x", count: 300)), ("PATH", "/usr/bin")]

    /// What reaches the handler is what a CGI process keeps: the settings and the meta-variables it reads, whole
    /// names only (HTTP_ACCEPT, not HTTP_ACCEPT_ENCODING), and nothing else a web server sends. The settings (kept by
    /// prefix) come apart, as pairs in the order they came.
    @Test func aResponderKeepsTheSettingsAndTheVariablesItReadsAsACGIProcessDoes() throws {
        let bytes = FastCGIPairs.encode(pairs)
        var prefixed: [UInt8] = []
        #expect(FastCGIPairs.environment(bytes, keeping: VariableFilter(prefixes: ["OTP_"]), prefixed: &prefixed)
            == ["HTTP_ACCEPT": "*/*", "REQUEST_URI": "/api/otp/verify"])
        #expect(prefixed == FastCGIPairs.encode([("OTP_TEST_SETTING", "a=b"), ("OTP_LONG", String(repeating: "x", count: 300))]))
        var request = Request(method: "POST")
        request.prefixedVariables = prefixed
        #expect(request.settingVariables == ["OTP_TEST_SETTING": "a=b", "OTP_LONG": String(repeating: "x", count: 300)])
        #expect(FastCGIPairs.value(of: "OTP_TEST_SETTING", in: prefixed) == "a=b" && FastCGIPairs.value(of: "OTP_TEST", in: prefixed) == nil)
        var none: [UInt8] = []
        #expect(FastCGIPairs.environment(bytes, keeping: nil, prefixed: &none) == Dictionary(uniqueKeysWithValues: pairs) && none.isEmpty)
    }

    /// The settings' bytes tell two requests' settings apart: a request variable changes nothing, a setting's value
    /// or one setting more does.
    @Test func theSettingsBytesChangeWithTheSettingsAlone() {
        func prefixed(_ pairs: [(String, String)]) -> [UInt8] {
            var bytes: [UInt8] = []
            _ = FastCGIPairs.environment(FastCGIPairs.encode(pairs), keeping: VariableFilter(prefixes: ["OTP_"]), prefixed: &bytes)
            return bytes
        }
        let base = prefixed(pairs)
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
