// What the per-client limits count of an address: the networks it belongs to, each with its share of the budget.
import Platform

extension IPAddress {
    /// A whole IPv4 address. An IPv6 client is counted per /64, as one subscriber usually holds a whole /64 and
    /// could otherwise take a fresh address for every request; and per /56 and /48 with 4 and 16 times the
    /// budget, as a /48 is also easy to come by and holds 65,536 /64s.
    public var networks: [(name: String, budgetMultiplier: Int)] {
        guard bytes.count == 16 else {
            // Appended by hand: the unspecialized `map` and `joined` resolve their types at run time, in every process.
            var text = ""
            for (index, byte) in bytes.enumerated() { text += (index > 0 ? "." : "") + String(byte) }
            return [(text, 1)]
        }
        return [(Hex.encode(Array(bytes.prefix(8))) + "::/64", 1), (Hex.encode(Array(bytes.prefix(7))) + "::/56", 4),
                (Hex.encode(Array(bytes.prefix(6))) + "::/48", 16)]
    }
}
