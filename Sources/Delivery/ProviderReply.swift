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
    /// (`{"error": {"message": ..., "code": 131026, ...}}`).
    var errorCode: Int? {
        (JSONText.value(at: ["code"], in: body) ?? JSONText.value(at: ["error", "code"], in: body)).flatMap { Int($0) }
    }

    /// A top-level string of the answer, for showing (an operator's phone number and name).
    func string(_ key: Substring) -> String? { JSONText.value(at: [key], in: body) }
}
