// Prefix and suffix tests on UTF-8 bytes, which is to say on Unicode scalars, for untrusted text and for text read
// on every request: `hasPrefix` and `hasSuffix` compare `Character`s, so a combining mark after the last one fuses
// with it into another, and walking grapheme clusters costs more than the comparison.
#if canImport(Glibc)
import Glibc
#endif

extension String {
    public func hasBytePrefix(_ prefix: String) -> Bool { bytesEqual(prefix, at: 0) }

    public func hasByteSuffix(_ suffix: String) -> Bool { bytesEqual(suffix, at: utf8.count - suffix.utf8.count) }

    /// Whether `other`'s bytes are this string's from byte `offset` on. One `memcmp`: a FastCGI responder tests a
    /// request's every variable name against the settings' prefixes, and a generic byte loop cost ten times as much.
    private func bytesEqual(_ other: String, at offset: Int) -> Bool {
        let count = other.utf8.count
        guard offset >= 0, offset + count <= utf8.count else { return false }
        guard count > 0 else { return true }
        var text = self, other = other
        return text.withUTF8 { text in other.withUTF8 { memcmp(text.baseAddress! + offset, $0.baseAddress!, count) == 0 } }
    }
}
