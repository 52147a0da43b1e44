// Who a request comes from, for the per-client limit: REMOTE_ADDR, or behind trusted proxies X-Forwarded-For.
import Platform
import Platform

public enum ClientAddress {
    /// The peer, unless the peer is a trusted proxy: then the right-most `X-Forwarded-For` entry that is not
    /// itself trusted, since each proxy appends what it saw and only the entries our proxies added are true.
    /// An entry that is not an address stops the walk at the proxy that passed it on. Without a usable peer
    /// the answer is nil, and the caller counts all such requests together.
    public static func resolve(remote: String?, forwardedFor: String?, trusted: [AddressRange]) -> IPAddress? {
        guard let peer = remote.flatMap({ IPAddress($0.trimmingASCIIWhitespace()) }) else { return nil }
        guard let forwardedFor, !trusted.isEmpty, isTrusted(peer, trusted) else { return peer }
        var client = peer
        for entry in forwardedFor.split(byte: UInt8(ascii: ",")).reversed() {
            guard let hop = IPAddress(entry.trimmingASCIIWhitespace()) else { return client }
            client = hop
            if !isTrusted(hop, trusted) { return hop }
        }
        return client
    }

    static func isTrusted(_ address: IPAddress, _ trusted: [AddressRange]) -> Bool { trusted.contains { $0.contains(address) } }
}
