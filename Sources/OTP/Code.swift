// The code a person types: exactly OTP_CODE_LENGTH ASCII digits, since look-alike Unicode digits are not digits here.

enum Code {
    static func validate(_ raw: String, length: Int) throws(OTPError) -> String {
        let trimmed = raw.trimmingASCIIWhitespace()
        let bytes = trimmed.utf8
        guard bytes.count == length, bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw OTPError.invalidCode
        }
        return trimmed
    }
}
