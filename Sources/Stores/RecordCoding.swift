// The one-line text forms of a record and of an event log on disk, each with a checksum so that a torn or garbled
// file reads as absent.
import Platform
import Digests
import OTP

/// What the file store keeps in a file.
protocol FileRecord: Equatable {
    init?(decoding bytes: [UInt8])
    func encoded() -> [UInt8]
}

/// `magic field... checksum\n`, the checksum being the first 8 bytes of the SHA-256 of what precedes it, in hex.
enum RecordLine {
    static func encode(_ body: String) -> [UInt8] { Array((body + " " + checksum(body) + "\n").utf8) }

    /// The fields of a line whose checksum holds, the magic first; nil for anything else.
    static func fields(_ bytes: [UInt8]) -> [Substring]? {
        guard bytes.last == UInt8(ascii: "\n") else { return nil }
        let line = String(decoding: bytes.dropLast(), as: UTF8.self)
        guard let space = line.utf8.lastIndex(of: UInt8(ascii: " ")) else { return nil }
        let body = String(line[..<space])
        guard checksum(body) == line[line.utf8.index(after: space)...] else { return nil }
        return body.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { body[$0.startIndex..<$0.endIndex] }
    }

    static func checksum(_ body: String) -> String { Hex.encode(Array(SHA256.hash(body.utf8).prefix(8))) }
}

extension Record: FileRecord {
    private static let magic = "otp3"
    /// The formats before the abuse counters moved to event logs: read as the code they hold, their counters
    /// dropped (the logs start afresh; records live minutes).
    private static let magicV1 = "otp1", magicV2 = "otp2"

    func encoded() -> [UInt8] {
        RecordLine.encode("\(Self.magic) \(codeMAC.isEmpty ? "-" : Hex.encode(codeMAC)) \(expiresAt) \(attempts) \(resendAt)")
    }

    init?(decoding bytes: [UInt8]) {
        guard let fields = RecordLine.fields(bytes) else { return nil }
        guard (fields.count == 5 && (fields[0] == Self.magic || fields[0] == Self.magicV1)) || (fields.count == 8 && fields[0] == Self.magicV2),
              let expiresAt = Int64(fields[2]), let attempts = Int(fields[3]), attempts >= 0, let resendAt = Int64(fields[4]) else { return nil }
        let mac: [UInt8]
        if fields[1] == "-" { mac = [] } else {
            guard let decoded = Hex.decode(fields[1]), decoded.count == SHA256.digestSize else { return nil }
            mac = decoded
        }
        self.init(codeMAC: mac, expiresAt: expiresAt, attempts: attempts, resendAt: resendAt)
    }
}

extension EventLog: FileRecord {
    private static let magic = "otpl"

    func encoded() -> [UInt8] {
        var body = Self.magic
        for time in times { body += " " + String(time) }
        return RecordLine.encode(body)
    }

    init?(decoding bytes: [UInt8]) {
        guard let fields = RecordLine.fields(bytes), fields.first == Self.magic[...] else { return nil }
        var times: [Int64] = []
        for field in fields.dropFirst() {
            guard let time = Int64(field), String(time) == field, times.last.map({ $0 <= time }) ?? true else { return nil }
            times.append(time)
        }
        self.init(times: times)
    }
}
