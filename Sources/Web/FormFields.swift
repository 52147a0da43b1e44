// application/x-www-form-urlencoded, as a browser's form post sends it (WHATWG URL, "urlencoded parsing").
import Platform

enum FormFields {
    /// `curl -d '{...}'` without `-H 'Content-Type: application/json'` labels JSON as a form. Read as one, the whole
    /// object would be one field's name and the answer a puzzling "channel is required"; no form starts with `{`.
    static let jsonAsForm = WebError.badRequest("The body is JSON but was sent as a form; send it with Content-Type: application/json")

    static func parse(_ bytes: [UInt8]) throws(WebError) -> RequestFields {
        let whitespace: [UInt8] = [0x20, 0x09, 0x0A, 0x0D]
        if bytes.first(where: { !whitespace.contains($0) }) == UInt8(ascii: "{") { throw jsonAsForm }
        var fields = RequestFields()
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(parts[0]), value = try decode(parts.count > 1 ? parts[1] : [])
            try fields.insert(key, value)
        }
        return fields
    }

    /// `+` is a space and `%XX` a byte; a broken escape or invalid UTF-8 is a 400, not a guess.
    static func decode(_ bytes: ArraySlice<UInt8>) throws(WebError) -> String {
        guard let out = PercentDecoding.decode(bytes, plusIsSpace: true) else { throw WebError.badRequest("Malformed form body") }
        guard let text = String(validating: out, as: UTF8.self) else { throw WebError.badRequest("Body is not valid UTF-8") }
        return text
    }
}
