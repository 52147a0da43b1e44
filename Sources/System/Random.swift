// The system CSPRNG (glibc's arc4random_buf, which draws on getrandom(2)) and the codes made from it.
#if canImport(Glibc)
import Glibc
#endif

public enum Random {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { out.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) } }
        return out
    }

    /// A numeric code of `length` digits, uniform over all 10^length strings (leading zeros included):
    /// rejection sampling removes the modulo bias of reducing a 64-bit draw.
    public static func numericCode(length: Int) -> String {
        precondition((1...18).contains(length))
        var modulus: UInt64 = 1
        for _ in 0..<length { modulus *= 10 }
        let limit = UInt64.max - UInt64.max % modulus
        var value: UInt64
        repeat {
            value = 0
            for byte in bytes(8) { value = value << 8 | UInt64(byte) }
        } while value >= limit
        let digits = String(value % modulus)
        return String(repeating: "0", count: length - digits.count) + digits
    }

    public static func hex(_ count: Int) -> String { Hex.encode(bytes(count)) }
}
