// Draft only: stands in for the project's Crypto module.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let word = UInt32(bytes[i]) << 16 | UInt32(n > 1 ? bytes[i + 1] : 0) << 8 | UInt32(n > 2 ? bytes[i + 2] : 0)
            for k in 0..<4 { out.append(k <= n ? alphabet[Int(word >> UInt32(18 - 6 * k) & 63)] : UInt8(ascii: "=")) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
enum WebOTPLine {
    static func append(to text: String, code: String, domain: String) -> String {
        var body = Substring(text)
        while body.last?.isNewline == true { body = body.dropLast() }
        return "\(body)\n\n@\(domain) #\(code)"
    }
}
