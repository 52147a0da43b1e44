// What the per-client limit counts of an address.
import Crypto
import System

extension IPAddress {
    /// A whole IPv4 address, but an IPv6 /64, as one subscriber usually holds a whole /64 and could otherwise
    /// take a fresh address for every request.
    public var counted: String {
        bytes.count == 4 ? bytes.map(String.init).joined(separator: ".")
            : Hex.encode(Array(bytes.prefix(8))) + "::/64"
    }
}
