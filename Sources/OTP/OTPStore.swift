// What the service needs of a store: its atomic transitions. The file store is the first backend; a Redis one
// runs the same rules (`Record`'s and `EventLog`'s) as scripts.
import Digests
import Platform

/// A store never holds the key that names its records and seals its codes: that comes from the settings.
public protocol OTPStore {
    func issue(_ key: RecordKey, codeMAC: [UInt8], policy: IssuePolicy, now: Int64) throws(StoreFault) -> IssueOutcome
    func check(_ key: RecordKey, codeMAC: [UInt8], policy: CheckPolicy, now: Int64) throws(StoreFault) -> CheckOutcome
    func withdraw(_ key: RecordKey, codeMAC: [UInt8], restoring previous: Record?) throws(StoreFault)
    /// `EventLog.take` on an event log (a `RecordKey(secret:budget:of:)`).
    func take(_ key: RecordKey, limit: Int, windowSeconds: Int, now: Int64) throws(StoreFault) -> CountOutcome
    /// `EventLog.giveBack`: the event counted at `time` is uncounted.
    func giveBack(_ key: RecordKey, at time: Int64, windowSeconds: Int) throws(StoreFault)
}

/// A record's name: an HMAC in hex, so no identifier or address reaches the disk.
public struct RecordKey: Hashable, Sendable {
    public let hex: String
    /// The same bytes before hex: what the file store addresses a slot by, kept so that it need not decode `hex`
    /// (empty for a name that is not hex).
    public let mac: [UInt8]
    /// The code sent to one identifier on one channel.
    public init(secret: HMACKey, identifier: Identifier) {
        self.init(mac: secret.sha256(parts: ["record", identifier.channel.rawValue, identifier.value]))
    }
    /// An event log: `budget` names what it counts (`Budget`), `subject` whose events they are (a mailbox, a network).
    public init(secret: HMACKey, budget: Budget, of subject: String) {
        self.init(mac: secret.sha256(parts: [budget.rawValue, subject]))
    }
    public init(hex: String) { (self.hex, mac) = (hex, Hex.decode(Substring(hex)) ?? []) }
    private init(mac: [UInt8]) { (hex, self.mac) = (Hex.encode(mac), mac) }
}

/// What an event log counts; a refusal by its limit names it (`OTPError.limited`).
public enum Budget: String, Sendable {
    /// Codes sent to one mailbox (or phone number), on every channel and under every alias.
    case sends
    /// Wrong codes (and unknown identifiers) tried for one mailbox, on every channel.
    case failures
    /// Generates from one network.
    case clientSends = "client-sends"
    /// Failed verifies from one network.
    case clientFailures = "client-failures"
    /// Codes sent to one mailbox at the request of one network (its coarsest: IPv4 /24, IPv6 /48).
    case networkSends = "network-sends"
    /// Failed verifies for one mailbox from one network.
    case networkFailures = "network-failures"
}
