// JSON and form bodies become fields; anything odd is a clear 400 or 415, never a crash or a guess.
import Testing
@testable import Web
import OTP

@Suite struct BodyParsingTests {
    private func json(_ text: String) throws(WebError) -> RequestFields {
        try RequestFields.parse(body: Array(text.utf8), contentType: "application/json")
    }

    @Test func readsStringMembersOfAJSONObject() throws {
        let fields = try json(#" { "channel" : "email", "identifier": "a\"b\\c\/d\u00e9\ud83d\ude00", "n": [1, {"x": null}], "t": true } "#)
        #expect(try fields.string("channel") == "email")
        #expect(try fields.string("identifier") == "a\"b\\c/dé😀")
        #expect(try fields.string("missing") == nil)
    }

    @Test func aNonStringWhereAStringIsExpectedIsNamed() throws {
        let fields = try json(#"{"code": 123456}"#)
        #expect(throws: WebError.badRequest("code must be a string")) { try fields.string("code") }
    }

    @Test(arguments: [
        #""#, #"[]"#, #""text""#, #"{"#, #"{"a"}"#, #"{"a":}"#, #"{"a":"b",}"#, #"{"a":"b"} x"#, #"{'a':'b'}"#,
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, "{\"a\":\"line\nbreak\"}",
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":tru}"#, #"{"a":"b" "c":"d"}"#, "{\"a\":\"\u{0}\"}",
    ])
    func refusesMalformedJSON(text: String) {
        #expect(throws: WebError.self) { try json(text) }
    }

    /// `curl -d '{...}'` without its `-H 'Content-Type: application/json'`: a form body that is JSON is named as such.
    @Test(arguments: [#"{"channel": "email", "identifier": "joe@example.com"}"#, " \n{\"a\":1}"])
    func jsonSentAsAFormIsNamed(body: String) {
        #expect(throws: WebError.badRequest("The body is JSON but was sent as a form; send it with Content-Type: application/json")) {
            try RequestFields.parse(body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
        }
    }

    @Test func refusesDuplicateKeys() {
        #expect(throws: WebError.badRequest("duplicate field code")) { try json(#"{"code":"1","code":"2"}"#) }
    }

    @Test func refusesDeepNesting() {
        let deep = "{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(throws: WebError.badRequest("JSON nested too deeply")) { try json(deep) }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8)
        #expect(throws: WebError.badRequest("Body is not valid UTF-8")) {
            try RequestFields.parse(body: bytes, contentType: "application/json; charset=utf-8")
        }
    }

    @Test func readsForms() throws {
        let fields = try RequestFields.parse(body: Array("channel=email&identifier=joe%2Botp%40example.com&note=a+b&empty=&&flag".utf8),
                                             contentType: "application/x-www-form-urlencoded")
        #expect(try fields.string("identifier") == "joe+otp@example.com")
        #expect(try fields.string("note") == "a b")
        #expect(try fields.string("empty") == "")
        #expect(try fields.string("flag") == "")
    }

    @Test(arguments: ["a=%", "a=%2", "a=%zz", "a=%ff", "a=1&a=2"])
    func refusesBrokenForms(text: String) {
        #expect(throws: WebError.self) { try RequestFields.parse(body: Array(text.utf8), contentType: "application/x-www-form-urlencoded") }
    }

    @Test(arguments: ["text/plain", "multipart/form-data; boundary=x", "application/jsonx", "application/xml"])
    func refusesOtherMediaTypes(type: String) {
        #expect(throws: WebError.unsupportedMediaType) { try RequestFields.parse(body: [0x7b, 0x7d], contentType: type) }
    }

    @Test func mediaTypeIsCaseInsensitiveAndIgnoresParameters() throws {
        #expect(try RequestFields.parse(body: Array(#"{"a":"b"}"#.utf8), contentType: "Application/JSON; charset=UTF-8").string("a") == "b")
    }

    @Test func anEmptyBodyWithoutATypeHasNoFields() throws {
        #expect(try RequestFields.parse(body: [], contentType: nil).string("channel") == nil)
    }
}
