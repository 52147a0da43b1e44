// One slot of a table file: 256 bytes that one pwrite replaces whole, and the checksum that tells a torn or
// garbled slot from a written one.
#if canImport(Glibc)
import Glibc
#endif

/// `key (32) | dead at (8) | length (4) | flags (1) | 3 unused | value (200) | checksum (8)`, integers little-endian.
/// A value longer than a slot lives in a file of its own, and the slot holds that file's checksum instead. Slots
/// are 256-byte aligned, so none crosses a page (or a 512-byte sector, the unit a disk writes whole).
enum Slot {
    static let size = 256
    /// Slots are 256-byte aligned, so none crosses a page.
    static let pageSize = 4096
    /// A key lives in one bucket of two pages: read whole by one `pread`, with room for 32 keys that share it.
    static let bucketSize = 2 * pageSize
    static let perBucket = bucketSize / size
    static let keySize = 32
    static let capacity = 200
    static let valueOffset = 48
    static let checksumOffset = valueOffset + capacity
    /// The value is in its own file; the slot's value holds that file's checksum.
    static let elsewhere: UInt8 = 1

    static let empty = [UInt8](repeating: 0, count: size)

    /// A whole slot for `key`. `value` must fit (`capacity`); `length` is the real value's when it lives elsewhere.
    static func encode(key: [UInt8], deadAt: Int64, value: [UInt8], length: Int, flags: UInt8) -> [UInt8] {
        var slot = [UInt8](repeating: 0, count: size)
        slot.withUnsafeMutableBytes { raw in
            key.withUnsafeBytes { raw.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: keySize) }
            raw.storeBytes(of: UInt64(bitPattern: deadAt).littleEndian, toByteOffset: keySize, as: UInt64.self)
            raw.storeBytes(of: UInt32(length).littleEndian, toByteOffset: 40, as: UInt32.self)
            raw[44] = flags
            value.withUnsafeBytes { (raw.baseAddress! + valueOffset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            raw.storeBytes(of: checksum(UnsafeRawBufferPointer(rebasing: raw[..<checksumOffset])).littleEndian,
                           toByteOffset: checksumOffset, as: UInt64.self)
        }
        return slot
    }

    /// A checksum over every word of a slot: an 8-byte word is xored in, then multiplied by an odd constant and
    /// xor-shifted, each step a bijection, so a change confined to one word always shows, and any other change (a
    /// write torn across sectors, a stray edit) passes with odds of 2^-64. The table is private to the service's
    /// user, so this guards against accidents, not forgers: SHA-256, which the text records carried, costs about
    /// twenty times as much per slot, and a CRC needs a table that every process would build.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x6a09_e667_f3bc_c908 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = mix(hash ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0x80
            for index in offset..<bytes.count { tail = tail << 8 | UInt64(bytes[index]) }
            hash = mix(hash ^ tail)
        }
        return mix(mix(hash))
    }

    static func checksum(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { checksum($0) } }

    private static func mix(_ word: UInt64) -> UInt64 {
        let product = word &* 0xff51_afd7_ed55_8ccd
        return product ^ (product >> 32)
    }
}

/// A bucket of a table (or any run of slots) as read, and the slots in it.
struct SlotBucket {
    var bytes: [UInt8]

    func base(_ slot: Int) -> Int { slot * Slot.size }

    func holds(_ key: [UInt8], at slot: Int) -> Bool {
        bytes.withUnsafeBytes { page in key.withUnsafeBytes { memcmp(page.baseAddress! + base(slot), $0.baseAddress!, Slot.keySize) == 0 } }
    }

    func deadAt(_ slot: Int) -> Int64 {
        bytes.withUnsafeBytes { Int64(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: base(slot) + Slot.keySize, as: UInt64.self))) }
    }

    func intact(_ slot: Int) -> Bool {
        bytes.withUnsafeBytes { page in
            let start = base(slot)
            return Slot.checksum(UnsafeRawBufferPointer(rebasing: page[start..<start + Slot.checksumOffset]))
                == UInt64(littleEndian: page.loadUnaligned(fromByteOffset: start + Slot.checksumOffset, as: UInt64.self))
        }
    }

    /// Held by nothing: never written, emptied, torn or garbled, or dead by `now`.
    func free(_ slot: Int, now: Int64) -> Bool { deadAt(slot) <= now || !intact(slot) }

    func length(_ slot: Int) -> Int {
        bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: base(slot) + 40, as: UInt32.self))) }
    }

    func flags(_ slot: Int) -> UInt8 { bytes[base(slot) + 44] }

    func key(_ slot: Int) -> [UInt8] { Array(bytes[base(slot)..<base(slot) + Slot.keySize]) }

    func value(_ slot: Int) -> [UInt8] {
        let start = base(slot) + Slot.valueOffset
        return Array(bytes[start..<start + min(length(slot), Slot.capacity)])
    }

    func slot(_ slot: Int) -> [UInt8] { Array(bytes[base(slot)..<base(slot) + Slot.size]) }
}
