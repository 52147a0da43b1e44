// The system layer's text parsers: one percent-decoder, one host:port parser, ASCII trimming on scalars, byte
// prefixes and suffixes, UTC dates.
import Testing
@testable import Platform

@Suite struct TextTests {
    @Test(arguments: [
        ("a%20b", false, "a b"), ("a+b", false, "a+b"), ("a+b", true, "a b"), ("%41%6a", false, "Aj"), ("%", false, nil),
        ("%4", false, nil), ("%zz", false, nil), ("100%", true, nil), ("%2e%2E", false, ".."),
    ])
    func percentDecodingTakesEitherCaseAndRefusesBrokenEscapes(text: String, plusIsSpace: Bool, decoded: String?) {
        let bytes = PercentDecoding.decode(Array(text.utf8), plusIsSpace: plusIsSpace)
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == decoded)
    }

    @Test(arguments: [
        ("example.com", "example.com", nil), ("example.com:6379", "example.com", 6379), ("[::1]", "::1", nil),
        ("[::1]:80", "::1", 80), (":6381", "", 6381), ("::1:6381", "::1", 6381),
    ] as [(String, String, Int?)])
    func hostPortSplitsHostAndPort(text: String, host: String, port: Int?) throws {
        let parsed = try #require(HostPort(Substring(text)))
        #expect(parsed.host == host && parsed.port == port)
    }

    @Test(arguments: ["host:", "host:0", "host:65536", "host:+80", "host:123456", "[::1", "[::1]x", "[::1]:", "host:8a",
                      "host:\u{0301}6379", "[::1]:\u{0301}80", "[::1]\u{0301}:80"])
    func hostPortRefusesWhatIsNotAPort(text: String) {
        #expect(HostPort(Substring(text)) == nil)
    }

    @Test func trimmingRemovesASCIIWhitespaceOnlyAndSeesCRLFAsTwoScalars() {
        #expect(" \t\r\nab c\r\n ".trimmingASCIIWhitespace() == "ab c")
        #expect("\u{00A0}x\u{00A0}".trimmingASCIIWhitespace() == "\u{00A0}x\u{00A0}")
        #expect(" \r\n".trimmingASCIIWhitespace() == "")
    }

    /// `hasPrefix` would say no to each: a combining mark fuses with the `#` or `;` before it into another Character.
    @Test func bytePrefixesAndSuffixesSeeACharacterFollowedByACombiningMark() {
        #expect("#\u{301} SetEnv".hasBytePrefix("#") && !"#\u{301} SetEnv".hasPrefix("#"))
        #expect("x;\u{301}".hasByteSuffix("\u{301}") && "OTP_KEY_FILE".hasByteSuffix("_FILE") && !"_FILE".hasByteSuffix("X_FILE"))
        #expect("a;".hasByteSuffix(";") && !"OTP".hasBytePrefix("OTP_") && "".hasBytePrefix("") && "abc".hasByteSuffix(""))
    }

    @Test func hexDigitsOfEitherCase() {
        #expect(Array("09afAF".utf8).map(ASCII.hexValue) == [0, 9, 10, 15, 10, 15])
        #expect(ASCII.hexValue(UInt8(ascii: "g")) == nil)
    }

    @Test func utcTimeTakesADateApart() {
        let t = UTCTime(951_782_400) // 2000-02-29 00:00:00, a Tuesday
        #expect((t.year, t.month, t.day, t.weekday) == (2000, 2, 29, 2) && (t.hour, t.minute, t.second) == (0, 0, 0))
        #expect(UTCTime.padded(7, 3) == "007" && UTCTime.padded(1234, 2) == "1234")
    }
}
