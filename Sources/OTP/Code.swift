// The code a person types: exactly OTP_CODE_LENGTH ASCII digits, since look-alike Unicode digits are not digits here.
import Platform

public enum Code {
    static func validate(_ raw: String, length: Int) throws(OTPError) -> String {
        let trimmed = raw.trimmingASCIIWhitespace()
        let bytes = trimmed.utf8
        guard bytes.count == length, bytes.allSatisfy(ASCII.isDigit) else { throw OTPError.invalidCode }
        return trimmed
    }

    /// A numeric code of `length` digits, uniform over all 10^length strings (leading zeros included):
    /// rejection sampling removes the modulo bias of reducing a 64-bit draw.
    public static func random(length: Int) -> String {
        precondition((1...18).contains(length))
        var modulus: UInt64 = 1
        for _ in 0..<length { modulus *= 10 }
        let limit = UInt64.max - UInt64.max % modulus
        var value: UInt64
        repeat {
            value = 0
            for byte in Random.bytes(8) { value = value << 8 | UInt64(byte) }
        } while value >= limit
        let digits = String(value % modulus)
        return String(repeating: "0", count: length - digits.count) + digits
    }
}
