// Prefix and suffix tests on UTF-8 bytes, which is to say on Unicode scalars, for untrusted text and for text read
// on every request: `hasPrefix` and `hasSuffix` compare `Character`s, so a combining mark after the last one fuses
// with it into another, and walking grapheme clusters costs more than the comparison.

extension String {
    public func hasBytePrefix(_ prefix: String) -> Bool {
        var text = self, prefix = prefix
        return text.withUTF8 { text in prefix.withUTF8 { text.starts(with: $0) } }
    }

    public func hasByteSuffix(_ suffix: String) -> Bool {
        var text = self, suffix = suffix
        return text.withUTF8 { text in suffix.withUTF8 { $0.count <= text.count && text[(text.count - $0.count)...].elementsEqual($0) } }
    }
}
