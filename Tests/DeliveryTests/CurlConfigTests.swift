// curl's config syntax for the values we put on fd 3, and the words for curl's exit codes.
import Testing
@testable import Delivery

@Suite struct CurlConfigTests {
    @Test(arguments: [
        ("pass", #"user = "pass""#),
        ("a b", #"user = "a b""#),
        (#"say "hi""#, #"user = "say \"hi\"""#),
        (#"back\slash"#, #"user = "back\\slash""#),
        ("tab\tline\nreturn\rvtab\u{0B}end", #"user = "tab\tline\nreturn\rvtab\vend""#),
        (":=#leading", #"user = ":=#leading""#),
        ("pässwörd€", #"user = "pässwörd€""#),
    ])
    func quotesEveryValue(value: String, line: String) {
        #expect(Curl.configLine("user", value) == line + "\n")
    }

    @Test func aFlagHasNoValue() {
        #expect(Curl.configLine("ssl-reqd", nil) == "ssl-reqd\n")
    }

    @Test func aValueCannotStartASecondOption() {
        let line = Curl.configLine("user", "x\"\nurl = \"https://evil.example")
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\"\n"))
    }

    @Test(arguments: [(Int32(7), "connection refused"), (28, "timed out"), (67, "login denied"), (60, "OTP_CA_BUNDLE")])
    func namesTheCommonFailures(status: Int32, words: String) {
        #expect(Curl.reason(status)?.contains(words) == true)
    }
}
