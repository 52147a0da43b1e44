// A message template: text with `{code}`, `{minutes}` and `{site}`, checked once and filled per message.
import OTP
import Platform

/// Only `{` + a name of ASCII letters, digits and underscores + `}` is a placeholder, so the braces of a
/// stylesheet in an HTML template stay text; a placeholder with any other name is a fault, never sent as it
/// stands, and so is a template without `{code}`: a message that does not carry its code is worse than none.
public struct MessageTemplate: Sendable {
    public enum Placeholder: String, Sendable, CaseIterable { case code, minutes, site }

    /// Where the template came from (`OTP_SMS_TEMPLATE`, `OTP_TEMPLATE_DIR/fr/sms.txt`, `built-in fr SMS text`), for faults.
    public let origin: String
    private let bytes: [UInt8]
    /// Each placeholder's byte range in `bytes`, in order.
    private let slots: [(range: Range<Int>, placeholder: Placeholder)]

    /// `requiringCode` is false for a subject only: a subject without the code is normal (and keeps it off
    /// lock screens).
    public init(_ text: String, origin: String, requiringCode: Bool = true) throws(TemplateFault) {
        self.origin = origin
        bytes = Array(text.utf8)
        var slots: [(range: Range<Int>, placeholder: Placeholder)] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "{") else { i += 1; continue }
            var end = i + 1
            while end < bytes.count && end - i <= 33 && (ASCII.isAlphanumeric(bytes[end]) || bytes[end] == UInt8(ascii: "_")) { end += 1 }
            guard end > i + 1, end < bytes.count, bytes[end] == UInt8(ascii: "}") else { i += 1; continue }
            let name = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
            guard let placeholder = Placeholder(rawValue: name) else {
                throw TemplateFault("\(origin) has the unknown placeholder {\(name)}; the placeholders are {code}, {minutes} and {site}")
            }
            slots.append((i..<(end + 1), placeholder))
            i = end + 1
        }
        guard !requiringCode || slots.contains(where: { $0.placeholder == .code }) else { throw TemplateFault("\(origin) must contain {code}") }
        self.slots = slots
    }

    public var usesSite: Bool { slots.contains { $0.placeholder == .site } }

    /// `html` escapes the values (never the template, which is the operator's markup).
    public func render(_ values: Values, html: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 32)
        var at = 0
        for slot in slots {
            out += bytes[at..<slot.range.lowerBound]
            let value = switch slot.placeholder {
            case .code: values.code
            case .minutes: values.minutes
            case .site: values.site
            }
            if html { HTMLEscaping.append(value, to: &out) } else { out += value.utf8 }
            at = slot.range.upperBound
        }
        out += bytes[at...]
        return String(decoding: out, as: UTF8.self)
    }

    public struct Values: Sendable {
        public var code: String
        public var minutes: String
        public var site: String
        public init(code: String, minutes: String, site: String) { (self.code, self.minutes, self.site) = (code, minutes, site) }
    }
}
