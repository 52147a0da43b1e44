// What the per-client limits count of an address: the networks it belongs to, each with its share of the budget.
import Platform

extension IPAddress {
    /// A whole IPv4 address, and its /24 with 4 times the budget, as one holder of a /24 can use its 256
    /// addresses. An IPv6 client is counted per /64, as one subscriber usually holds a whole /64 and could
    /// otherwise take a fresh address for every request; and per /56 and /48 with 4 and 16 times the budget, as
    /// a /48 is also easy to come by and holds 65,536 /64s. The last is the widest: a mailbox's share is per it.
    /// Their names only, narrowest first; `budgetMultiplier(ofNetworkAt:)` says each one's share, rather than pairs
    /// (docs/design.md, generic types on a request's path).
    public var networks: [String] {
        guard bytes.count == 16 else {
            // Appended by hand: the unspecialized `map` and `joined` resolve their types at run time, in every process.
            var text = ""
            for (index, byte) in bytes.prefix(3).enumerated() { text += (index > 0 ? "." : "") + String(byte) }
            return [text + "." + String(bytes[3]), text + ".0/24"]
        }
        return [Hex.encode(Array(bytes.prefix(8))) + "::/64", Hex.encode(Array(bytes.prefix(7))) + "::/56",
                Hex.encode(Array(bytes.prefix(6))) + "::/48"]
    }

    /// How many times the budget of one address the network at `index` of `networks` has: 1, 4, 16.
    public static func budgetMultiplier(ofNetworkAt index: Int) -> Int { 1 << (2 * index) }
}
