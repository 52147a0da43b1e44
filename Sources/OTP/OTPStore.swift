// What the service needs of a store: four atomic transitions and a shared secret. The file store is the
// first backend; a Redis one runs the same `Record` rules as scripts.
import Crypto

public protocol OTPStore {
    /// The key that names records and seals codes; created once and shared by every process.
    func secretKey() throws(StoreFault) -> [UInt8]
    func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome
    func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome
    func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault)
    /// `Record.count` on a counter record (one client address's generates); its key is a `RecordKey(client:)`.
    func count(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome
}

/// A record's name: HMAC(secret, channel, identifier) in hex, so no identifier reaches the disk.
public struct RecordKey: Hashable, Sendable {
    public let hex: String
    public init(secret: [UInt8], identifier: Identifier) {
        hex = Hex.encode(HMAC.sha256(key: secret, parts: ["record", identifier.channel.rawValue, identifier.value]))
    }
    /// A client address's counter: HMAC of the address (an IPv6 one cut to its /64), never the address.
    public init(secret: [UInt8], client: String) {
        hex = Hex.encode(HMAC.sha256(key: secret, parts: ["client", client]))
    }
    public init(hex: String) { self.hex = hex }
}
