// Accept-Language (RFC 9110 section 12.5.4) matched by RFC 4647's lookup against the locales the site has.
import OTP
import System

public enum AcceptLanguage {
    /// The first range a client sent is the one it ranks first among equals, so the order of the header
    /// breaks ties in quality. A range that is not a valid tag, `*` (anything: the default serves) and
    /// `q=0` (not wanted) are passed over; past 16 ranges or 1 KiB the rest is not read.
    public static func best(_ header: String?, available: (LanguageTag) -> Bool) -> LanguageTag? {
        guard let header, !header.isEmpty else { return nil }
        var ranges: [(tag: LanguageTag, quality: Int)] = []
        for item in Array(header.utf8.prefix(1024)).split(separator: UInt8(ascii: ",")).prefix(16) {
            let parts = item.split(separator: UInt8(ascii: ";"))
            guard let first = parts.first, let tag = LanguageTag(String(decoding: first, as: UTF8.self).trimmingASCIIWhitespace()) else { continue }
            var quality = 1000
            for parameter in parts.dropFirst() {
                let text = String(decoding: parameter, as: UTF8.self).trimmingASCIIWhitespace()
                if text.utf8.first == UInt8(ascii: "q") || text.utf8.first == UInt8(ascii: "Q") { quality = Self.quality(text) }
            }
            if quality > 0 { ranges.append((tag, quality)) }
        }
        var best: (tag: LanguageTag, quality: Int)?
        for range in ranges where range.quality > (best?.quality ?? 0) {
            if let found = range.tag.firstTruncation(where: available) { best = (found, range.quality) }
        }
        return best?.tag
    }

    /// `q=0.8` as 800; anything that is not `q=` and a number from 0 to 1 with up to three decimals counts as 0.
    static func quality(_ text: String) -> Int {
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
