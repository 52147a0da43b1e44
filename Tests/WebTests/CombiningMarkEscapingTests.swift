// Each escaper of the web layer and each of its parsers, with a combining mark after every character that matters
// to it: a mark makes one grapheme cluster with the character before it, but the bytes a browser or a JSON
// reader sees are still there, so each is judged on bytes.
import Testing
@testable import Web
import OTP
import Digests
import Platform
import TestSupport

@Suite struct CombiningMarkEscapingTests {
    @Test(arguments: CombiningMarks.after(["&", "<", ">", "\"", "'"]))
    func htmlEscapingLeavesNoMarkupByteBehindAMark(character: String, text: String) {
        let escaped = Array(HTMLEscaping.escape(text).utf8)
        #expect(!escaped.contains { "<>\"'".utf8.contains($0) })
        // Every `&` starts one of the five references.
        let references = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].map { Array($0.utf8) }
        for (i, byte) in escaped.enumerated() where byte == UInt8(ascii: "&") {
            #expect(references.contains { escaped[i...].starts(with: $0) })
        }
    }

    /// An identifier that would close the attribute with `"` + U+0301 and add a style (a page-wide overlay).
    @Test func anAttributeCannotBeClosedByAQuoteWithAMark() {
        let sent = PageModel.Sent(identifier: "x\"\u{0301} style=\"\u{0301};position:fixed;inset:0;background:red\"\u{0301}")
        let page = HTMLPage(PageModel(outcome: .refused(detail: "Invalid email address", offersNewCode: false), sent: sent), endpoint: .generate).text
        #expect(page.contains("value=\"x&quot;\u{0301} style=&quot;\u{0301};position:fixed;inset:0;background:red&quot;\u{0301}\""))
        #expect(!page.utf8.split(separator: UInt8(ascii: "<")).contains { $0.starts(with: "input".utf8) && String(decoding: $0, as: UTF8.self).contains(" style=\"") })
    }

    @Test func thePageAllowsOnlyItsOwnStylesheetByHash() throws {
        let policy = HTMLPage.contentSecurityPolicy
        #expect(!policy.contains("unsafe-inline"))
        let page = HTMLPage(PageModel(outcome: .sent(expiresAt: 1_730_000_000)), endpoint: .generate).text
        let start = try #require(page.utf8.firstRange(of: "<style>".utf8)).upperBound
        let end = try #require(page.utf8[start...].firstRange(of: "</style>".utf8)).lowerBound
        let hash = "sha256-" + Base64.encode(SHA256.hash(page.utf8[start..<end]))
        #expect(policy.contains("style-src '\(hash)';"))
        #expect(!page.contains(" style="))
    }

    @Test(arguments: CombiningMarks.after(["\"", "\\", "<", ">", "&", "\n", "\r", "\t", "\u{0}", "\u{2028}"]))
    func jsonEscapingLeavesNoRawByteBehindAMarkAndReadsBack(character: String, text: String) throws {
        let json = Response(status: 400, detail: text).json
        let body = Array(json.utf8).dropFirst(#"{"detail": ""#.utf8.count).dropLast(2)
        #expect(!body.contains { $0 < 0x20 || "<>&".utf8.contains($0) })
        // Every quote inside the string is escaped: the only unescaped quotes are the two around it.
        var escaped = false, quotes = 0
        for byte in body { if byte == UInt8(ascii: "\"") && !escaped { quotes += 1 }; escaped = !escaped && byte == UInt8(ascii: "\\") }
        #expect(quotes == 0)
        #expect(try JSONFields.parse(Array(json.utf8)).string("detail") == text)
    }

    @Test(arguments: CombiningMarks.after(["&", "=", "+", "%20"]))
    func formFieldsSplitOnBytesWhateverFollows(character: String, text: String) throws {
        let fields = try FormFields.parse(Array(("channel=email&identifier=" + text + "&code=1").utf8))
        let (mark, separated) = (text.unicodeScalars.contains { $0.value > 0x7f }, text.utf8.contains { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "=") })
        #expect(mark)
        #expect(try fields.string("channel") == "email" && fields.string("code") == "1")
        if !separated { #expect(try fields.string("identifier") == String(decoding: PercentDecoding.decode(Array(text.utf8), plusIsSpace: true)!, as: UTF8.self)) }
    }

    /// Header lists split on bytes too: the media type ends at the `;` whatever mark follows it.
    @Test(arguments: CombiningMarks.all)
    func aContentTypeEndsAtItsSemicolonWhateverFollows(mark: String) throws {
        let fields = try RequestFields.parse(body: Array(#"{"channel":"email"}"#.utf8), contentType: "application/json;" + mark + "charset=utf-8")
        #expect(try fields.string("channel") == "email")
    }

    @Test func aRepeatedFieldOfTheClientsOwnIsNotEchoed() throws {
        #expect(throws: WebError.badRequest("duplicate field")) { try JSONFields.parse(Array(#"{"a\nb":"1","a\nb":"2"}"#.utf8)) }
        #expect(throws: WebError.badRequest("duplicate field")) { try FormFields.parse(Array("x%0Dy=1&x%0Dy=2".utf8)) }
        #expect(throws: WebError.badRequest("duplicate field identifier")) { try FormFields.parse(Array("identifier=1&identifier=2".utf8)) }
    }
}

