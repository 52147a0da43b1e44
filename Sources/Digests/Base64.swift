// Base64 (RFC 4648): the standard alphabet, padded, for RFC 2047 mail headers; base64url without padding
// (section 5), the text of a token (RFC 7515 section 2).

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
}
