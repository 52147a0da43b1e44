// Every log line is one line: control characters, C1 controls and the Unicode line separators are written escaped.
import Testing
@testable import Platform
import TestSupport

@Suite struct LogLineTests {
    @Test func aForgedLineStaysInsideTheLineThatCarriesIt() {
        let line = StandardError.logLine("verify 400 \"x\n otp-cgi: verify 200 \"Verified\"\r\u{0}\u{1b}[2J\u{7f}")
        #expect(String(decoding: line, as: UTF8.self)
                == "otp-cgi: verify 400 \"x\\x0a otp-cgi: verify 200 \"Verified\"\\x0d\\x00\\x1b[2J\\x7f\n")
    }

    @Test func unicodeLineBreaksAndC1ControlsAreEscapedAndOtherTextIsKept() {
        let line = StandardError.logLine("a\u{85}b\u{2028}c\u{2029}d é ✓")
        #expect(String(decoding: line, as: UTF8.self) == "otp-cgi: a\\u{0085}b\\u{2028}c\\u{2029}d é ✓\n")
    }

    @Test(arguments: CombiningMarks.after(["\n", "\r", "\u{0}", "\u{1b}", "\u{7f}", "\u{85}", "\u{2028}"]))
    func aMarkAfterAControlCharacterDoesNotHideIt(character: String, text: String) {
        let line = StandardError.logLine(text)
        #expect(line.last == 0x0a && line.dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7f })
        #expect(!String(decoding: line, as: UTF8.self).unicodeScalars.contains { (0x80...0x9f).contains($0.value) || $0.value == 0x2028 })
    }
}
