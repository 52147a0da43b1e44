// Gateway templates: each value escaped for where it lands, and templates that could not carry one refused.
import Foundation
import Testing
@testable import Delivery
import OTP
import Platform

@Suite struct BodyTemplateTests {
    let names = GatewaySpec.messageNames
    let hostile = "a\"b\\c\n&d=e+f#g%h ü 😀 </x>"

    func render(_ text: String, _ encoding: BodyEncoding, _ values: [String: String]) throws -> String {
        try BodyTemplate(text, encoding: encoding, names: names, setting: "SMS_HTTP_BODY").render { values[$0] ?? "" }
    }

    @Test func aFormValueIsPercentEncodedWhole() throws {
        #expect(try render("to={to}&text={text}", .form, ["to": "+14155552671", "text": hostile])
                == "to=%2B14155552671&text=a%22b%5Cc%0A%26d%3De%2Bf%23g%25h%20%C3%BC%20%F0%9F%98%80%20%3C%2Fx%3E")
    }

    @Test func aJSONValueStaysInsideItsStringAndReadsBackTheSame() throws {
        let body = try render(#"{"to": ["{to}"], "text": "{text}", "n": 1}"#, .json, ["to": "+1", "text": hostile])
        #expect(body == #"{"to": ["+1"], "text": "a\"b\\c\n\u0026d=e+f#g%h ü 😀 \u003c/x\u003e", "n": 1}"#)
        #expect(JSONText.value(at: ["text"], in: Array(body.utf8)) == hostile)
    }

    @Test func controlCharactersAreEscapedInJSON() {
        #expect(JSONEscaping.escape("\u{0}\u{1f}\t\r\u{7f}") == #"\u0000\u001f\t\r\u007f"#)
    }

    @Test(arguments: [
        ("to={to}&t={txt}", BodyEncoding.form, "SMS_HTTP_BODY: unknown placeholder {txt} (known: {to} {to_digits} {from} {text})"),
        (#"{"to": {to}, "text": "{text}"}"#, .json, #"SMS_HTTP_BODY: {to} must stand inside a JSON string, as in "{to}""#),
        (#"{"to": "{to}", "text": "{text}""#, .json, "SMS_HTTP_BODY is not JSON"),
        (#"{"to": "\{to}", "text": "{text}"}"#, .json, #"SMS_HTTP_BODY: {to} must stand inside a JSON string, as in "{to}""#),
        ("to={to}&text=Your code {text}", .form, "SMS_HTTP_BODY must be form-encoded already: write a space, a non-ASCII character or # in its text percent-encoded"),
        ("to={to}&x=é&text={text}", .query, "SMS_HTTP_BODY must be a query string already: write a space, a non-ASCII character or # in its text percent-encoded"),
    ])
    func aTemplateThatCannotBeEscapedIsRefused(text: String, encoding: BodyEncoding, message: String) {
        #expect(throws: OTPError.misconfigured(message)) { try BodyTemplate(text, encoding: encoding, names: names, setting: "SMS_HTTP_BODY") }
    }

    @Test func bracesThatAreNotPlaceholdersAreText() throws {
        #expect(try render(#"{"a": {}, "b": "{ {to} }", "text": "{text}"}"#, .json, ["to": "1", "text": "t"]) == #"{"a": {}, "b": "{ 1 }", "text": "t"}"#)
    }
}

@Suite struct JSONTextTests {
    @Test(arguments: [
        (#"{"messages": [{"status": "0", "to": "1"}]}"#, "messages.0.status", "0"),
        (#"{"a": {"b": [1, {"c": true}]}}"#, "a.b.1.c", "true"),
        (#" { "x" : -1.5e3 } "#, "x", "-1.5e3"),
        (#"{"s": "caf\u00e9 \"q\""}"#, "s", "café \"q\""),
        (#"{"skip": {"deep": [[["x"]]], "s": "}"}, "k": null}"#, "k", "null"),
    ])
    func aDottedPathReadsTheScalar(json: String, path: String, value: String) {
        #expect(JSONText.value(at: path.split(separator: "."), in: Array(json.utf8)) == value)
    }

    @Test(arguments: [
        (#"{"messages": []}"#, "messages.0.status"),
        (#"{"a": {"b": 1}}"#, "a"),
        (#"{"a": 1"#, "b"),
        ("Success \"ok\"", "a"),
        (#"{"a": [1, 2]}"#, "a.x"),
    ])
    func aPathThatLeadsNowhereIsNil(json: String, path: String) {
        #expect(JSONText.value(at: path.split(separator: "."), in: Array(json.utf8)) == nil)
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(!JSONText.isDocument(Array(deep.utf8)))
        #expect(JSONText.isDocument(Array((String(repeating: "[", count: 60) + String(repeating: "]", count: 60)).utf8)))
    }
}

@Suite struct LoneFieldTests {
    func render(_ text: String, _ values: [String: String]) throws -> String {
        try BodyTemplate(text, encoding: .form, names: GatewaySpec.messageNames, setting: "SMS_HTTP_BODY").render { values[$0] ?? "" }
    }

    @Test(arguments: [
        ("from={from}&to={to}&text={text}", "to=1&text=t"),
        ("to={to}&from={from}&text={text}", "to=1&text=t"),
        ("to={to}&text={text}&from={from}", "to=1&text=t"),
        ("to={to}&text={text}&sender=x{from}", "to=1&text=t&sender=x"),
        ("to={to}&text={text}&from=", "to=1&text=t&from="),
    ])
    func aFieldThatIsAnEmptyPlaceholderIsLeftOut(template: String, body: String) throws {
        #expect(try render(template, ["to": "1", "text": "t", "from": ""]) == body)
    }
}

/// The reader against Foundation's parser, on valid documents and on thousands of mutations of them: what one takes
/// for a document the other does too (but where Foundation is not RFC 8259's), and a path into anything never traps.
@Suite struct JSONTextAgreementTests {
    /// Knuth's MMIX LCG: seeded, so a failure replays.
    struct Mutations {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
    }

    static let seeds = [
        #"{"message-count": "1", "messages": [{"to": "447700900000", "status": "0", "network": "23410"}]}"#,
        #"{"a": [1, -0.5, 2e10, -3E-2, true, false, null, {"b": "c\"d\\e\u00e9\n"}], "": {}}"#,
        #"[[], [[]], {"x": [{}]}, "s", 0, 10]"#,
        #"{"errors": [{"code": "40310", "title": "Invalid 'to' address"}]}"#,
    ]

    @Test func theReaderAcceptsWhatFoundationAccepts() {
        var random = Mutations(state: 27)
        let alphabet = Array(#"{}[]":,.-+eE0123456789 tfnrul\"#.utf8)
        for seed in Self.seeds {
            let original = Array(seed.utf8)
            #expect(JSONText.isDocument(original), "\(seed)")
            for _ in 0..<2000 {
                var bytes = original
                for _ in 0...random.next(3) {
                    let at = random.next(bytes.count + 1)
                    switch random.next(3) {
                    case 0 where at < bytes.count: bytes.remove(at: at)
                    case 1: bytes.insert(alphabet[random.next(alphabet.count)], at: at)
                    default: if at < bytes.count { bytes[at] = alphabet[random.next(alphabet.count)] }
                    }
                }
                // Where Foundation departs from RFC 8259: it takes a trailing comma, and refuses a number beyond a Double.
                let text = String(decoding: bytes, as: UTF8.self)
                if text.contains(#/,\s*[\]}]/#) || text.contains(#/[eE][+-]?[0-9]{3}/#) { continue }
                let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
                #expect(JSONText.isDocument(bytes) == foundation, "\(text)")
                _ = JSONText.value(at: ["messages", "0", "status"], in: bytes)
            }
        }
    }
}
