// Who a request comes from, for the per-client limit: REMOTE_ADDR, or behind trusted proxies X-Forwarded-For.
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address; an IPv4-mapped IPv6 address is its IPv4 one, so one client
/// is one address whichever socket family Apache listened on.
public struct IPAddress: Equatable, Sendable {
    public let bytes: [UInt8]

    /// `inet_pton`'s strict forms only: no zone index, no leading zeros that some parsers read as octal.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            let all = withUnsafeBytes(of: &v6) { Array($0) }
            bytes = all.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] ? Array(all.suffix(4)) : all
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// What the per-client limit counts: a whole IPv4 address, but an IPv6 /64, as one subscriber usually
    /// holds a whole /64 and could otherwise take a fresh address for every request.
    public var counted: String {
        bytes.count == 4 ? bytes.map(String.init).joined(separator: ".")
            : Hex.encode(Array(bytes.prefix(8))) + "::/64"
    }
}

/// An address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`); a bare address is the block of that one.
public struct AddressRange: Equatable, Sendable {
    public let network: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.count <= 3, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let length = Int(parts[1]), length <= bits else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        network = address
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var left = prefixLength
        for (a, b) in zip(address.bytes, network.bytes) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }
}

public enum ClientAddress {
    /// The peer, unless the peer is a trusted proxy: then the right-most `X-Forwarded-For` entry that is not
    /// itself trusted, since each proxy appends what it saw and only the entries our proxies added are true.
    /// An entry that is not an address stops the walk at the proxy that passed it on. Without a usable peer
    /// the answer is nil, and the caller counts all such requests together.
    public static func resolve(remote: String?, forwardedFor: String?, trusted: [AddressRange]) -> IPAddress? {
        guard let peer = remote.flatMap({ IPAddress($0.trimmingASCIIWhitespace()) }) else { return nil }
        guard let forwardedFor, !trusted.isEmpty, isTrusted(peer, trusted) else { return peer }
        var client = peer
        for entry in forwardedFor.split(separator: ",").reversed() {
            guard let hop = IPAddress(String(entry).trimmingASCIIWhitespace()) else { return client }
            client = hop
            if !isTrusted(hop, trusted) { return hop }
        }
        return client
    }

    static func isTrusted(_ address: IPAddress, _ trusted: [AddressRange]) -> Bool { trusted.contains { $0.contains(address) } }
}
