// Accept-Language (RFC 9110 section 12.5.4) matched by RFC 4647's lookup against the locales the site has.
import OTP
import Platform

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
            let quality = QualityValue.weight(parts.dropFirst().lazy.map { String(decoding: $0, as: UTF8.self) })
            if quality > 0 { ranges.append((tag, quality)) }
        }
        var best: (tag: LanguageTag, quality: Int)?
        for range in ranges where range.quality > (best?.quality ?? 0) {
            if let found = range.tag.firstTruncation(where: available) { best = (found, range.quality) }
        }
        return best?.tag
    }
}
