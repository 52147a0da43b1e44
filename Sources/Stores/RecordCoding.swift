// The one-line text form of a record on disk, with a checksum so that a torn or garbled file reads as absent.
import Crypto
import OTP

extension Record {
    private static let magic = "otp2"
    /// The format before the abuse counters: read as a record whose counters are zero.
    private static let magicV1 = "otp1"

    func encoded() -> [UInt8] {
        let body = "\(Self.magic) \(codeMAC.isEmpty ? "-" : Hex.encode(codeMAC)) \(expiresAt) \(attempts) \(resendAt)"
            + " \(windowEndsAt) \(sends) \(failures)"
        return Array((body + " " + Self.checksum(body) + "\n").utf8)
    }

    init?(decoding bytes: [UInt8]) {
        guard bytes.last == UInt8(ascii: "\n") else { return nil }
        let line = String(decoding: bytes.dropLast(), as: UTF8.self)
        guard let space = line.lastIndex(of: " ") else { return nil }
        let body = String(line[..<space])
        guard Self.checksum(body) == line[line.index(after: space)...] else { return nil }
        let fields = body.split(separator: " ", omittingEmptySubsequences: false)
        let counters: (Int64, Int, Int)
        if fields.count == 5 && fields[0] == Self.magicV1 {
            counters = (0, 0, 0)
        } else if fields.count == 8 && fields[0] == Self.magic {
            guard let windowEndsAt = Int64(fields[5]), let sends = Int(fields[6]), sends >= 0,
                  let failures = Int(fields[7]), failures >= 0 else { return nil }
            counters = (windowEndsAt, sends, failures)
        } else { return nil }
        guard let expiresAt = Int64(fields[2]), let attempts = Int(fields[3]), attempts >= 0,
              let resendAt = Int64(fields[4]) else { return nil }
        let mac: [UInt8]
        if fields[1] == "-" { mac = [] } else {
            guard let decoded = Hex.decode(fields[1]), decoded.count == SHA256.digestSize else { return nil }
            mac = decoded
        }
        self.init(codeMAC: mac, expiresAt: expiresAt, attempts: attempts, resendAt: resendAt,
                  windowEndsAt: counters.0, sends: counters.1, failures: counters.2)
    }

    static func checksum(_ body: String) -> String { Hex.encode(Array(SHA256.hash(body.utf8).prefix(8))) }
}
