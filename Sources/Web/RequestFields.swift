// The fields of a request body, whatever its encoding: the endpoints read only these.
import OTP
import Platform

public struct RequestFields: Sendable {
    var strings: [String: String] = [:]
    /// Keys whose JSON value was not a string: naming one of them is a clear 400, not a silent miss.
    var others: Set<String> = []

    /// The fields the endpoints read.
    static let known: Set<String> = ["channel", "identifier", "code", "next", "state"]

    public init(_ strings: [String: String] = [:]) { self.strings = strings }

    public func string(_ name: String) throws(WebError) -> String? {
        if others.contains(name) { throw .badRequest("\(name) must be a string") }
        return strings[name]
    }

    mutating func insert(_ key: String, _ value: String?) throws(WebError) {
        guard strings[key] == nil && !others.contains(key) else {
            // Only a name the service reads is repeated back: a client's own key may hold anything.
            throw .badRequest(Self.known.contains(key) ? "duplicate field \(key)" : "duplicate field")
        }
        if let value { strings[key] = value } else { others.insert(key) }
    }

    /// JSON or an HTML form; anything else is 415. An empty body is no fields (so "channel is required").
    public static func parse(body: [UInt8], contentType: String?) throws(WebError) -> RequestFields {
        let mediaType = contentType.map { ($0.split(byte: UInt8(ascii: ";"), maxSplits: 1).first ?? "").trimmingASCIIWhitespace().lowercased() }
        switch mediaType {
        case "application/json": return try JSONFields.parse(body)
        case "application/x-www-form-urlencoded": return try FormFields.parse(body)
        case nil where body.isEmpty, "" where body.isEmpty: return RequestFields()
        default: throw .unsupportedMediaType
        }
    }

    /// Who a code is for, from the `channel` and `identifier` fields as read once (the page echoes them even when
    /// they are refused here).
    static func identify(channel channelName: String?, identifier raw: String?) throws(WebError) -> Identifier {
        guard let channelName else { throw .badRequest("channel is required") }
        guard let channel = Channel(rawValue: channelName.trimmingASCIIWhitespace().lowercased()) else {
            throw .badRequest("channel must be email, sms or whatsapp")
        }
        guard let raw else { throw .badRequest("identifier is required") }
        return try serviceCall { () throws(OTPError) in try Identifier(channel: channel, raw: raw) }
    }
}
