// What leaves for a provider, with a combining mark after every character that matters there: curl's config
// lines, Twilio's form, and the headers of an email. Each is judged on bytes.
import Foundation
import Testing
@testable import Delivery
import OTP
import TestSupport

@Suite struct CombiningMarkDeliveryTests {
    @Test(arguments: CombiningMarks.after(["\"", "\\", "\n", "\r", "\t"]))
    func aCurlConfigValueStaysOneQuotedValue(character: String, text: String) {
        let line = Array(Curl.configLine("user", text).utf8)
        #expect(line.starts(with: "user = \"".utf8) && line.last == 0x0a && line.dropLast().last == UInt8(ascii: "\""))
        let inside = line.dropFirst(8).dropLast(2)
        #expect(!inside.contains { $0 == 0x0a || $0 == 0x0d || $0 == 0x09 })
        // Every quote inside is escaped by a backslash that is not itself escaped.
        var escaped = false
        for byte in inside {
            if byte == UInt8(ascii: "\"") { #expect(escaped) }
            escaped = !escaped && byte == UInt8(ascii: "\\")
        }
    }

    @Test(arguments: CombiningMarks.after(["&", "=", "+", "%", " "]))
    func aTwilioFormFieldKeepsOnlyUnreservedBytes(character: String, text: String) {
        let form = Array(TwilioSender.formEncoded([("Body", text)]).utf8)
        #expect(form.starts(with: "Body=".utf8))
        #expect(form.dropFirst(5).allSatisfy { $0 < 0x80 && ($0 == UInt8(ascii: "%") || !"&=+ ".utf8.contains($0)) })
    }

    @Test(arguments: CombiningMarks.all)
    func anEncodedSubjectSplitsBetweenScalarsAndStaysOnItsLines(mark: String) throws {
        let subject = "Ton code " + String(repeating: "e" + mark, count: 40)
        let message = OutgoingMessage(recipient: try Identifier(channel: .email, raw: "joe@example.com"), code: "123456",
                                      subject: subject, text: "x")
        let text = String(decoding: EmailMessage.render(message, from: "otp@example.com"), as: UTF8.self)
        let header = try #require(text.components(separatedBy: "\r\n\r\n").first)
        let subjectLines = header.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject: ") }.prefix { $0.hasPrefix("Subject: ") || $0.hasPrefix(" ") }
        var decoded: [UInt8] = []
        for line in subjectLines {
            let word = line.hasPrefix("Subject: ") ? line.dropFirst(9) : line.dropFirst(1)
            // RFC 2047 section 2: an encoded word is at most 75 characters.
            #expect(word.hasPrefix("=?utf-8?b?") && word.hasSuffix("?=") && word.utf8.count <= 75)
            let bytes = Array(try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))))
            #expect(String(validating: bytes, as: UTF8.self) != nil, "a word that splits a scalar")
            decoded += bytes
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
    }
}

