// application/x-www-form-urlencoded, as a browser's form post sends it (WHATWG URL, "urlencoded parsing").

enum FormFields {
    static func parse(_ bytes: [UInt8]) throws(OTPError) -> RequestFields {
        var fields = RequestFields()
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(parts[0]), value = try decode(parts.count > 1 ? parts[1] : [])
            try fields.insert(key, value)
        }
        return fields
    }

    /// `+` is a space and `%XX` a byte; a broken escape or invalid UTF-8 is a 400, not a guess.
    static func decode(_ bytes: ArraySlice<UInt8>) throws(OTPError) -> String {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "+") { out.append(0x20) } else if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else {
                    throw OTPError.badRequest("Malformed form body")
                }
                out.append(hi << 4 | lo)
                i += 2
            } else { out.append(c) }
            i += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw OTPError.badRequest("Body is not valid UTF-8") }
        return text
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
