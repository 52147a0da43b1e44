// A provider's HTTP answer as curl hands it back: the body, then the status on a line of its own.
import OTP

/// curl runs with `write-out "\n%{http_code}"`, so that a provider's answer of any status reaches us whole.
struct ProviderReply {
    let status: Int
    let body: [UInt8]

    init(curlOutput output: [UInt8], provider: String) throws(DeliveryFault) {
        let lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard let last = lines.last, let status = Int(String(decoding: last, as: UTF8.self)) else {
            throw DeliveryFault("\(provider): no HTTP status in curl's output")
        }
        (self.status, body) = (status, Array(output.dropLast(last.count + 1)))
    }

    init(status: Int, body: [UInt8]) { (self.status, self.body) = (status, body) }

    var isSuccess: Bool { (200...299).contains(status) }

    /// The numeric `code` of a JSON error: Twilio's flat object (`{"code": 21211, ...}`) or the Graph API's
    /// (`{"error": {"message": ..., "code": 131026, ...}}`), whose `code` comes before `error_data` and any text.
    /// A quote inside a JSON string is escaped, so `"code"` followed by a colon can only be that key.
    var errorCode: Int? {
        guard let key = body.firstRange(of: Array(#""code""#.utf8)) else { return nil }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }
        let afterKey = body[key.upperBound...].drop(while: isSpace)
        guard afterKey.first == UInt8(ascii: ":") else { return nil }
        let digits = afterKey.dropFirst().drop(while: isSpace).prefix { (0x30...0x39).contains($0) }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// The first string value of `key`, for showing (an operator's phone number and name); nil if the value
    /// holds an escape, as nothing shown here needs one.
    func string(_ key: String) -> String? {
        guard let found = body.firstRange(of: Array("\"\(key)\"".utf8)) else { return nil }
        let rest = body[found.upperBound...].drop { $0 == 0x20 || $0 == 0x3a }
        guard rest.first == UInt8(ascii: "\"") else { return nil }
        let value = rest.dropFirst().prefix { $0 != UInt8(ascii: "\"") }
        guard !value.contains(UInt8(ascii: "\\")), value.endIndex < rest.endIndex else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
