// A message template: text with `{code}`, `{minutes}` and `{site}`, checked once and filled per message.
import OTP
import Platform

/// Only `{` + a name of ASCII letters, digits and underscores + `}` is a placeholder, so the braces of a
/// stylesheet in an HTML template stay text; a placeholder with any other name is a fault, never sent as it
/// stands, and so is a template without `{code}`: a message that does not carry its code is worse than none.
public struct MessageTemplate: Sendable {
    public enum Placeholder: String, Sendable, CaseIterable {
        case code, minutes, site

        fileprivate var number: Int {
            switch self {
            case .code: 0
            case .minutes: 1
            case .site: 2
            }
        }
    }

    /// Where the template came from (`OTP_SMS_TEMPLATE`, `OTP_TEMPLATE_DIR/fr/sms.txt`, `built-in fr SMS text`), for faults.
    public let origin: String
    private let bytes: [UInt8]
    /// Each placeholder in order, as three numbers: where it starts in `bytes`, where it ends, and which it is
    /// (`Placeholder.number`); numbers rather than pairs (docs/design.md, generic types on a request's path).
    private let slots: [Int]

    /// `requiringCode` is false for a subject only: a subject without the code is normal (and keeps it off
    /// lock screens).
    public init(_ text: String, origin: String, requiringCode: Bool = true) throws(TemplateFault) {
        self.origin = origin
        bytes = Array(text.utf8)
        var slots: [Int] = []
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
            slots += [i, end + 1, placeholder.number]
            i = end + 1
        }
        self.slots = slots
        guard !requiringCode || uses(.code) else { throw TemplateFault("\(origin) must contain {code}") }
    }

    public var usesSite: Bool { uses(.site) }

    private func uses(_ placeholder: Placeholder) -> Bool {
        stride(from: 2, to: slots.count, by: 3).contains { slots[$0] == placeholder.number }
    }

    /// `html` escapes the values (never the template, which is the operator's markup).
    public func render(_ values: Values, html: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 32)
        var at = 0
        for slot in stride(from: 0, to: slots.count, by: 3) {
            out += bytes[at..<slots[slot]]
            let value = switch slots[slot + 2] {
            case Placeholder.code.number: values.code
            case Placeholder.minutes.number: values.minutes
            default: values.site
            }
            if html { HTMLEscaping.append(value, to: &out) } else { out += value.utf8 }
            at = slots[slot + 1]
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
