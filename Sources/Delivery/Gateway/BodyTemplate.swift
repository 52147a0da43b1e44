// A gateway's request described in settings: text with {placeholders}, each value escaped for where it lands.
import OTP
import Platform

/// How the filled template travels: as a form body, a JSON body, or the URL's query string.
public enum BodyEncoding: String, Sendable {
    case form, json, query
}

/// `{name}` is a placeholder when `name` is lowercase letters, digits and underscores; any other brace is text,
/// so a JSON template's own braces need no escaping. Values are escaped for the encoding and never concatenated
/// raw: percent-encoding (only unreserved characters kept) for form and query, JSON string escaping for JSON,
/// where a placeholder must sit inside a string literal.
public struct BodyTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case value(String)
    }

    let parts: [Part]
    public let encoding: BodyEncoding

    /// Checks the template against `names` and `encoding`; the message names `setting`.
    init(_ text: String, encoding: BodyEncoding, names: [String], setting: String) throws(OTPError) {
        var parts: [Part] = [], literal: [Unicode.Scalar] = []
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            if scalar == "{", let close = scalars.firstIndex(of: "}"),
               scalars[..<close].allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }), close > scalars.startIndex {
                let name = String(String.UnicodeScalarView(scalars[..<close]))
                guard names.contains(name) else {
                    throw .misconfigured("\(setting): unknown placeholder {\(name)} (known: \(names.map { "{\($0)}" }.joined(separator: " ")))")
                }
                if !literal.isEmpty { parts.append(.text(String(String.UnicodeScalarView(literal)))); literal = [] }
                parts.append(.value(name))
                scalars = scalars[(close + 1)...]
            } else {
                literal.append(scalar)
            }
        }
        if !literal.isEmpty { parts.append(.text(String(String.UnicodeScalarView(literal)))) }
        self.parts = parts
        self.encoding = encoding
        try check(setting)
    }

    /// A template whose text could not carry escaped values intact is refused here, before any send: in a form
    /// or query, text that is not already percent-encoded; in JSON, a placeholder outside a string, or a document
    /// that is not JSON once filled.
    private func check(_ setting: String) throws(OTPError) {
        switch encoding {
        case .form, .query:
            for case .text(let text) in parts where text.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7f || $0 == UInt8(ascii: "#") }) {
                throw .misconfigured("\(setting) must be \(encoding == .form ? "form-encoded" : "a query string") already: "
                    + "write a space, a non-ASCII character or # in its text percent-encoded")
            }
        case .json:
            var inString = false, escaped = false
            for part in parts {
                switch part {
                case .text(let text):
                    for byte in text.utf8 {
                        if escaped { escaped = false } else if inString && byte == UInt8(ascii: "\\") { escaped = true }
                        else if byte == UInt8(ascii: "\"") { inString.toggle() }
                    }
                case .value(let name):
                    guard inString, !escaped else {
                        throw .misconfigured("\(setting): {\(name)} must stand inside a JSON string, as in \"{\(name)}\"")
                    }
                }
            }
            guard JSONText.isDocument(Array(render { _ in "x" }.utf8)) else { throw .misconfigured("\(setting) is not JSON") }
        }
    }

    /// The template with each placeholder's value, escaped for the encoding. In a form or query, a field that is
    /// one placeholder alone (`from={from}`) is left out when its value is empty: gateways take a missing field for
    /// "use the default" and may refuse an empty one.
    func render(_ value: (String) -> String) -> String {
        var out = "", dropped = false
        for (index, part) in parts.enumerated() {
            switch part {
            case .text(let text): out += text
            case .value(let name):
                let filled = value(name)
                if encoding != .json && filled.isEmpty && isLoneField(index) {
                    // A NUL can be neither in the checked text nor in an encoded value: it marks the field to drop.
                    out += "\u{0}"
                    dropped = true
                } else {
                    out += encoding == .json ? JSONEscaping.escape(filled) : FormEncoding.encoded(filled)
                }
            }
        }
        guard dropped else { return out }
        return Array(out.utf8).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false)
            .filter { $0.last != 0 }.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "&")
    }

    /// Whether the placeholder at `index` is a form field's whole value: `name=` before it, `&` or the end after.
    private func isLoneField(_ index: Int) -> Bool {
        guard index > 0, case .text(let before) = parts[index - 1], before.hasSuffix("=") else { return false }
        let key = before.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).last ?? []
        guard key.count > 1, !key.dropLast().contains(UInt8(ascii: "=")) else { return false }
        guard index + 1 < parts.count else { return true }
        if case .text(let after) = parts[index + 1] { return after.hasPrefix("&") }
        return false
    }

    /// The placeholders it uses.
    var names: Set<String> { Set(parts.compactMap { if case .value(let name) = $0 { name } else { nil } }) }
}
