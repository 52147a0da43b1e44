// The weight of a range in Accept and Accept-Language (RFC 9110 section 12.4.2), read one way for both headers.
import Platform

enum QualityValue {
    /// The first `q=` (or `Q=`) among a range's parameters, in thousandths; 1000 when there is none.
    static func weight(_ parameters: some Sequence<String>) -> Int {
        for parameter in parameters {
            let text = parameter.trimmingASCIIWhitespace(), bytes = text.utf8
            if ASCII.lowercased(bytes.first ?? 0) == UInt8(ascii: "q"), bytes.dropFirst().first == UInt8(ascii: "=") {
                return parse(text)
            }
        }
        return 1000
    }

    /// `q=0.8` as 800; anything that is not `q=` and a number from 0 to 1 with up to three decimals counts as 0.
    static func parse(_ text: String) -> Int {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes[1] == UInt8(ascii: "="), bytes[2] == UInt8(ascii: "0") || bytes[2] == UInt8(ascii: "1") else { return 0 }
        var value = Int(bytes[2] - 0x30) * 1000
        if bytes.count > 3 {
            guard bytes[3] == UInt8(ascii: "."), bytes.count <= 7, bytes.count > 4 else { return 0 }
            var scale = 100
            for byte in bytes[4...] {
                guard ASCII.isDigit(byte) else { return 0 }
                value += Int(byte - 0x30) * scale
                scale /= 10
            }
        }
        return value <= 1000 ? value : 0
    }
}
