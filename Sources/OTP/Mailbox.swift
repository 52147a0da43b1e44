// Whose inbox (or phone) an identifier reaches, for counting sends and wrong codes only: a code still belongs to
// the exact identifier it was sent to.
// The standard library's NFC (its `_nfc` view, the one its own string comparison uses): no ICU, no Foundation.
@_spi(_Unicode) import Swift

extension Identifier {
    /// `victim+1@`, `victim+2@` and `v.ictim@gmail.com` are one inbox, and must share one budget: no `+tag` on any
    /// domain, no dots for gmail.com and googlemail.com (which is gmail.com), and the domain in its IDNA ASCII
    /// form (`bücher.example` is `xn--bcher-kva.example`), lower-cased. A phone number is its E.164 form. The local
    /// part in NFC, so that `bu\u{308}cher` and `bücher` are one.
    public var mailbox: String {
        guard channel == .email else { return value }
        let bytes = Array(value.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "@"))!
        var local = Array(bytes[..<at])
        if local.contains(where: { $0 >= 0x80 }) { local = Array(Self.nfc(String(decoding: local, as: UTF8.self)).utf8) }
        if let plus = local.firstIndex(of: UInt8(ascii: "+")) { local.removeSubrange(plus...) }
        // Validation refused a domain with no canonical form.
        var domain = Self.asciiDomain(String(decoding: bytes[(at + 1)...], as: UTF8.self)) ?? ""
        if domain == "gmail.com" || domain == "googlemail.com" {
            local.removeAll { $0 == UInt8(ascii: ".") }
            domain = "gmail.com"
        }
        return String(decoding: local, as: UTF8.self) + "@" + domain
    }

    /// The domain as a mail server resolves it (UTS 46, in the part that decides which inbox): full-width forms
    /// folded to ASCII, the ideographic and full-width full stops as `.`, lower-cased, in NFC, then each label
    /// that is not ASCII as `xn--` and its Punycode (RFC 3492). nil when a character is left that the full UTS 46
    /// mapping (NFKC and case folding, which needs tables this does not carry) would still change: such an
    /// address is refused, so that no two spellings of one inbox are counted apart.
    static func asciiDomain(_ domain: String) -> String? {
        // Nearly every domain is ASCII, already lower-cased with the identifier: settled without Unicode work.
        if domain.utf8.allSatisfy({ $0 < 0x80 }) { return domain }
        var folded = ""
        for scalar in domain.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: folded.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3002, 0xFF61: folded.unicodeScalars.append(".")
            default: folded.unicodeScalars.append(scalar)
            }
        }
        let canonical = nfc(folded.lowercased())
        var labels: [[Unicode.Scalar]] = [[]]
        for scalar in canonical.unicodeScalars {
            // ß and final sigma are IDNA2008's own letters, which case folding alone would change.
            guard !scalar.properties.changesWhenNFKCCaseFolded || scalar.value == 0xDF || scalar.value == 0x3C2 else { return nil }
            if scalar == "." { labels.append([]) } else { labels[labels.count - 1].append(scalar) }
        }
        var out = ""
        for (index, label) in labels.enumerated() {
            if index > 0 { out += "." }
            out += label.allSatisfy(\.isASCII) ? String(String.UnicodeScalarView(label)) : "xn--" + Punycode.encode(label)
        }
        return out
    }

    static func nfc(_ text: String) -> String {
        var out = ""
        for scalar in text._nfc { out.unicodeScalars.append(scalar) }
        return out
    }
}

/// RFC 3492's encoder, for IDNA labels.
enum Punycode {
    static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700

    static func encode(_ input: [Unicode.Scalar]) -> String {
        let codes = input.map { Int($0.value) }
        var output: [UInt8] = codes.filter { $0 < 0x80 }.map { UInt8($0) }
        let basic = output.count
        if basic > 0 { output.append(UInt8(ascii: "-")) }
        var n = 0x80, delta = 0, bias = 72, handled = basic
        while handled < codes.count {
            let next = codes.filter { $0 >= n }.min()!
            delta += (next - n) * (handled + 1)
            n = next
            for code in codes {
                if code < n { delta += 1 }
                guard code == n else { continue }
                var q = delta, k = base
                while true {
                    let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, handled + 1, first: handled == basic)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func digit(_ d: Int) -> UInt8 { d < 26 ? UInt8(ascii: "a") + UInt8(d) : UInt8(ascii: "0") + UInt8(d - 26) }

    static func adapt(_ delta: Int, _ count: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > (base - tMin) * tMax / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
