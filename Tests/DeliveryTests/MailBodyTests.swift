// The MIME body: 7bit for short ASCII lines, base64 otherwise, multipart/alternative with HTML; RFC 2047 words.
import Foundation
import Testing
@testable import Delivery

@Suite struct MailBodyTests {
    @Test func asciiTextStays7BitWithCRLFLineEnds() {
        let (headers, body) = MailBody.render(text: "Your OTP code is: 123456\nbye", html: nil, boundary: "=_b")
        #expect(headers == ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit"])
        #expect(String(decoding: body, as: UTF8.self) == "Your OTP code is: 123456\r\nbye\r\n")
    }

    @Test(arguments: ["Código: 123456", String(repeating: "x", count: 999), "a\rb"])
    func anythingElseIsBase64InShortLines(text: String) throws {
        let (headers, body) = MailBody.render(text: text, html: nil, boundary: "=_b")
        #expect(headers[1] == "Content-Transfer-Encoding: base64")
        let lines = String(decoding: body, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.last == "" && lines.dropLast().allSatisfy { $0.count <= 76 })
        let decoded = try #require(Data(base64Encoded: lines.joined()))
        #expect(String(decoding: decoded, as: UTF8.self) == text.replacingOccurrences(of: "\r", with: "\r"))
    }

    @Test func withHTMLTheBodyIsMultipartAlternativeTextFirst() {
        let (headers, body) = MailBody.render(text: "code 1", html: "<p>code 1</p>", boundary: "=_b")
        #expect(headers == ["Content-Type: multipart/alternative; boundary=\"=_b\""])
        #expect(String(decoding: body, as: UTF8.self) == """
            --=_b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\ncode 1\r\n\
            --=_b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>code 1</p>\r\n--=_b--\r\n
            """)
    }

    @Test func encodedWordsCutBetweenCharactersAndFitTheLine() throws {
        #expect(EmailMessage.encodedWord("Your code") == "Your code")
        let subject = String(repeating: "認証コード", count: 6) + "é"
        let words = EmailMessage.encodedWord(subject).components(separatedBy: "\r\n ")
        var bytes: [UInt8] = []
        for word in words {
            #expect(word.hasPrefix("=?utf-8?b?") && word.hasSuffix("?=") && ("Subject: " + word).count <= 78)
            let chunk = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: chunk, encoding: .utf8) != nil, "each word is whole characters")
            bytes += chunk
        }
        #expect(String(decoding: bytes, as: UTF8.self) == subject)
    }
}
