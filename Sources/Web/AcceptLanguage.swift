// Accept-Language (RFC 9110 section 12.5.4) matched by RFC 4647's lookup against the locales the site has.
import OTP
import Platform

public enum AcceptLanguage {
    /// The first range a client sent is the one it ranks first among equals, so the order of the header
    /// breaks ties in quality. A range that is not a valid tag, `*` (anything: the default serves) and
    /// `q=0` (not wanted) are passed over; past 16 ranges or 1 KiB the rest is not read.
    /// Read range by range into the best so far, with no list of tag-quality pairs and no array of slices
    /// (docs/design.md, generic types on a request's path).
    public static func best(_ header: String?, available: (LanguageTag) -> Bool) -> LanguageTag? {
        guard let header, !header.isEmpty else { return nil }
        var best: LanguageTag?, bestQuality = 0
        for item in String(decoding: header.utf8.prefix(1024), as: UTF8.self).split(byte: UInt8(ascii: ",")).prefix(16) {
            let parts = item.split(byte: UInt8(ascii: ";"))
            guard let first = parts.first, let tag = LanguageTag(first.trimmingASCIIWhitespace()) else { continue }
            let quality = QualityValue.weight(parts.dropFirst())
            if quality > bestQuality, let found = tag.firstTruncation(where: available) { (best, bestQuality) = (found, quality) }
        }
        return best
    }
}
