// The binary forms of a record and of an event log as a table's slot holds them: fixed fields, integers
// little-endian; the slot's checksum, not these forms, tells a torn or garbled one.
import Digests
import OTP

/// What the file store keeps under a key.
protocol StoredValue: Equatable {
    init?(stored bytes: [UInt8])
    func stored() -> [UInt8]
}

/// Little-endian integers appended to and read from bytes.
struct ValueBytes {
    private(set) var bytes: [UInt8] = []
    private var offset = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }
    init(reading bytes: [UInt8]) { self.bytes = bytes }

    mutating func append<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ more: [UInt8]) { bytes += more }

    var atEnd: Bool { offset == bytes.count }

    mutating func read<Integer: FixedWidthInteger>(_: Integer.Type) -> Integer? {
        let size = MemoryLayout<Integer>.size
        guard offset + size <= bytes.count else { return nil }
        defer { offset += size }
        return Integer(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Integer.self) })
    }

    mutating func read(count: Int) -> [UInt8]? {
        guard offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// `R | MAC length (0, or 32 for a live code) | the MAC (32 bytes, zeros when none) | expiresAt (8) | attempts (4) |
/// resendAt (8)`: 54 bytes, whatever the record holds, so every record costs one encoding's work.
extension Record: StoredValue {
    static let kind = UInt8(ascii: "R")

    func stored() -> [UInt8] {
        var out = ValueBytes(capacity: 54)
        out.append(Self.kind)
        out.append(UInt8(codeMAC.count))
        out.append(codeMAC.isEmpty ? [UInt8](repeating: 0, count: SHA256.digestSize) : codeMAC)
        out.append(expiresAt)
        out.append(UInt32(clamping: attempts))
        out.append(resendAt)
        return out.bytes
    }

    init?(stored bytes: [UInt8]) {
        var reader = ValueBytes(reading: bytes)
        guard reader.read(UInt8.self) == Self.kind, let length = reader.read(UInt8.self), length == 0 || Int(length) == SHA256.digestSize,
              let mac = reader.read(count: SHA256.digestSize), let expiresAt = reader.read(Int64.self),
              let attempts = reader.read(UInt32.self), let resendAt = reader.read(Int64.self), reader.atEnd,
              length > 0 || mac.allSatisfy({ $0 == 0 }) else { return nil }
        self.init(codeMAC: length == 0 ? [] : mac, expiresAt: expiresAt, attempts: Int(attempts), resendAt: resendAt)
    }
}

/// `L | count (4) | the first time (8) | each later time as seconds after the first (4 each)`, so that 46 times fit
/// a slot; `M | count | every time (8 each)` for times too far apart for that, which a clock step could leave.
extension EventLog: StoredValue {
    static let kind = UInt8(ascii: "L"), wideKind = UInt8(ascii: "M")

    func stored() -> [UInt8] {
        let first = times.first ?? 0
        let narrow = times.allSatisfy { $0 >= first && $0 - first <= Int64(UInt32.max) }
        var out = ValueBytes(capacity: 13 + times.count * (narrow ? 4 : 8))
        out.append(narrow ? Self.kind : Self.wideKind)
        out.append(UInt32(times.count))
        if narrow, !times.isEmpty {
            out.append(first)
            for time in times.dropFirst() { out.append(UInt32(time - first)) }
        } else {
            for time in times { out.append(time) }
        }
        return out.bytes
    }

    init?(stored bytes: [UInt8]) {
        var reader = ValueBytes(reading: bytes)
        guard let kind = reader.read(UInt8.self), kind == Self.kind || kind == Self.wideKind, let count = reader.read(UInt32.self) else { return nil }
        var times: [Int64] = []
        if kind == Self.kind, count > 0 {
            guard let first = reader.read(Int64.self) else { return nil }
            times.append(first)
            for _ in 1..<count {
                // A garbled slot may hold any first time: one that a delta would carry past Int64.max is no log.
                guard let delta = reader.read(UInt32.self) else { return nil }
                let (time, overflow) = first.addingReportingOverflow(Int64(delta))
                guard !overflow else { return nil }
                times.append(time)
            }
        } else {
            for _ in 0..<count {
                guard let time = reader.read(Int64.self) else { return nil }
                times.append(time)
            }
        }
        guard reader.atEnd, zip(times, times.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        self.init(times: times)
    }
}
