// Whose inbox (or phone) an identifier reaches, for counting sends and wrong codes only: a code still belongs to
// the exact identifier it was sent to.

extension Identifier {
    /// `victim+1@`, `victim+2@` and `v.ictim@gmail.com` are one inbox, and must share one budget: no `+tag` on any
    /// domain, no dots for gmail.com and googlemail.com (which is gmail.com), and the domain in its IDNA ASCII
    /// form (`bücher.example` is `xn--bcher-kva.example`), lower-cased. A phone number is its E.164 form.
    public var mailbox: String {
        guard channel == .email else { return value }
        let bytes = Array(value.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "@"))!
        var local = Array(bytes[..<at])
        if let plus = local.firstIndex(of: UInt8(ascii: "+")) { local.removeSubrange(plus...) }
        var domain = Self.asciiDomain(String(decoding: bytes[(at + 1)...], as: UTF8.self))
        if domain == "gmail.com" || domain == "googlemail.com" {
            local.removeAll { $0 == UInt8(ascii: ".") }
            domain = "gmail.com"
        }
        return String(decoding: local, as: UTF8.self) + "@" + domain
    }

    /// Each label that is not ASCII as `xn--` and its Punycode (RFC 3492), the ASCII ones lower-cased; the
    /// ideographic and full-width full stops separate labels as `.` does (UTS 46). Not the whole UTS 46 mapping:
    /// enough that one inbox cannot be written two ways that a mail server treats alike.
    static func asciiDomain(_ domain: String) -> String {
        // Nearly every domain is ASCII, already lower-cased with the identifier: settled without Unicode work.
        if domain.utf8.allSatisfy({ $0 < 0x80 }) { return domain }
        var labels: [[Unicode.Scalar]] = [[]]
        for scalar in domain.unicodeScalars {
            if [0x2E, 0x3002, 0xFF0E, 0xFF61].contains(scalar.value) { labels.append([]) } else { labels[labels.count - 1].append(scalar) }
        }
        var out = ""
        for (index, label) in labels.enumerated() {
            if index > 0 { out += "." }
            let text = String(String.UnicodeScalarView(label)).lowercased()
            out += text.utf8.allSatisfy { $0 < 0x80 } ? text : "xn--" + Punycode.encode(Array(text.unicodeScalars))
        }
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
