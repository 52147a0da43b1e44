// A provider's HTTP answer (from `Curl.request`), and the error code in it that decides what the client is told.

struct ProviderReply {
    let status: Int
    let body: [UInt8]

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
