// How many SMS a text costs, counted as carriers and Twilio count them (3GPP TS 23.038 and 23.040).

/// A text made only of GSM 03.38 characters goes as 7-bit septets: 160 in one SMS, 153 per part once it is
/// split (the concatenation header takes the rest), and a character of the extension table (`€ [ ] { } \ ^ ~ |`
/// and form feed) costs two septets that are never split between parts. Any other character sends the whole
/// text as UCS-2 (UTF-16): 70 code units in one SMS, 67 per part, and a surrogate pair (an emoji) never split.
public struct SMSSegments: Equatable, Sendable, CustomStringConvertible {
    public enum Encoding: String, Sendable { case gsm7 = "GSM-7", ucs2 = "UCS-2" }

    public let encoding: Encoding
    public let count: Int
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    public let units: Int

    public var description: String { "\(count) SMS segment\(count == 1 ? "" : "s") (\(encoding.rawValue), \(units) \(encoding == .gsm7 ? "septets" : "UTF-16 units"))" }

    public init(_ text: String) {
        var septets: [Int] = []
        septets.reserveCapacity(text.utf8.count)
        var gsm = true
        for scalar in text.unicodeScalars {
            let cost = Self.septets(scalar)
            if cost == 0 { gsm = false; break }
            septets.append(cost)
        }
        if gsm {
            (encoding, units, count) = (.gsm7, septets.reduce(0, +), Self.pack(septets, single: 160, part: 153))
        } else {
            let codeUnits = text.unicodeScalars.map { $0.value > 0xFFFF ? 2 : 1 }
            (encoding, units, count) = (.ucs2, codeUnits.reduce(0, +), Self.pack(codeUnits, single: 70, part: 67))
        }
    }

    /// Parts filled in order, a character going whole to the next part when it does not fit.
    private static func pack(_ costs: [Int], single: Int, part: Int) -> Int {
        let total = costs.reduce(0, +)
        if total <= single { return 1 }
        var parts = 1, used = 0
        for cost in costs {
            if used + cost > part { parts += 1; used = 0 }
            used += cost
        }
        return parts
    }

    /// 1 for the basic table, 2 for the extension table (escape + character), 0 for neither.
    static func septets(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x0A, 0x0D, 0x20...0x5A, 0x5F, 0x61...0x7A: return 1
        case 0x0C, 0x5B...0x5E, 0x7B...0x7E, 0x20AC: return 2
        case 0xA1, 0xA3...0xA5, 0xA7, 0xBF, 0xC4...0xC7, 0xC9, 0xD1, 0xD6, 0xD8, 0xDC, 0xDF, 0xE0, 0xE4...0xE6, 0xE8, 0xE9,
             0xEC, 0xF1, 0xF2, 0xF6, 0xF8, 0xF9, 0xFC, 0x393, 0x394, 0x398, 0x39B, 0x39E, 0x3A0, 0x3A3, 0x3A6, 0x3A8, 0x3A9:
            // The basic table outside ASCII: ¡ £ ¤ ¥ § ¿ Ä Å Æ Ç É Ñ Ö Ø Ü ß à ä å æ è é ì ñ ò ö ø ù ü Γ Δ Θ Λ Ξ Π Σ Φ Ψ Ω.
            return 1
        default: return 0
        }
    }
}
