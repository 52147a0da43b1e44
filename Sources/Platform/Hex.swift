// Lower-case hex, the text form of digests in file names and records, and of random names.

public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(ASCII.hexDigit(Int(b >> 4))); out.append(ASCII.hexDigit(Int(b & 0xf))) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Either case, an even number of digits; nil otherwise.
    public static func decode(_ text: Substring) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = ASCII.hexValue(chars[i]), let lo = ASCII.hexValue(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
