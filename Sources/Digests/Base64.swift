// Base64 (RFC 4648): the standard alphabet, padded, for RFC 2047 mail headers and webhook secrets and
// signatures; base64url without padding (section 5), the text of a token (RFC 7515 section 2).

public enum Base64URL {
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Base64.encode(Array(bytes), alphabet: Base64.urlAlphabet, padded: false)
    }
}

public enum Base64 {
    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: standardAlphabet, padded: true) }

    static func encode(_ bytes: [UInt8], alphabet: [UInt8], padded: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let word = UInt32(bytes[i]) << 16 | UInt32(n > 1 ? bytes[i + 1] : 0) << 8 | UInt32(n > 2 ? bytes[i + 2] : 0)
            for k in 0..<4 {
                if k <= n { out.append(alphabet[Int(word >> UInt32(18 - 6 * k) & 63)]) } else if padded { out.append(UInt8(ascii: "=")) }
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The standard alphabet, padding optional; nil for any other character or a length no encoding has.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, let index = standardAlphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(index))
        }
        guard values.count % 4 != 1, padding == 0 || (values.count + padding) % 4 == 0 && padding <= 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let n = min(4, values.count - i)
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 6 | (k < n ? values[i + k] : 0) }
            for k in 0..<(n - 1) { out.append(UInt8(word >> UInt32(16 - 8 * k) & 0xff)) }
            i += 4
        }
        return out
    }
}
