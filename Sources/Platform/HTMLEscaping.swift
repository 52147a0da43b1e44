// HTML escaping of untrusted text, for the answer pages and the values filled into an HTML email.

/// Escaping for HTML text and double- or single-quoted attribute values, on UTF-8 bytes: a quote followed by a
/// combining mark is one `Character` that is not `"`, but its first byte still is.
public enum HTMLEscaping {
    public static func append(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
    }

    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
