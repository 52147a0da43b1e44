// The file store's slot form of a record and of an event log: round trips, and what does not decode.
import Testing
@testable import Stores
import OTP
import Digests

@Suite struct RecordCodingTests {
    let mac = [UInt8](repeating: 7, count: 32)

    @Test func roundTripsThroughItsSlotForm() {
        for record in [Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030),
                       Record(codeMAC: [], expiresAt: 0, attempts: 0, resendAt: 99)] {
            #expect(Record(stored: record.stored()) == record)
            #expect(record.stored().count == 54)
        }
    }

    @Test func aCutOrForeignValueDoesNotDecode() {
        let bytes = Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030).stored()
        for cut in [0, 1, 10, bytes.count - 1] { #expect(Record(stored: Array(bytes.prefix(cut))) == nil) }
        #expect(Record(stored: bytes + [0]) == nil)
        #expect(Record(stored: [UInt8](repeating: 0, count: 54)) == nil)
        // No code, yet MAC bytes: not a form this store writes.
        var stray = Record(codeMAC: [], expiresAt: 1, attempts: 0, resendAt: 1).stored()
        stray[10] = 1
        #expect(Record(stored: stray) == nil)
        #expect(EventLog(stored: bytes) == nil && Record(stored: EventLog(times: [1]).stored()) == nil)
    }

    @Test func anEventLogRoundTripsAndRefusesTimesOutOfOrder() {
        for log in [EventLog(times: [1000, 1000, 1003, 1_800_000_000]), EventLog(), EventLog(times: [5]),
                    EventLog(times: [-10, 1_800_000_000_000])] {
            #expect(EventLog(stored: log.stored()) == log)
        }
        // 46 times of one window fit a slot.
        #expect(EventLog(times: (0..<46).map { 1000 + $0 }).stored().count <= Slot.capacity)
        var disordered = ValueBytes(capacity: 20)
        disordered.append(EventLog.kind)
        disordered.append(UInt32(2))
        disordered.append(Int64(1000))
        disordered.append(UInt32(5))
        #expect(EventLog(stored: disordered.bytes) != nil)
        var wide = ValueBytes(capacity: 21)
        wide.append(EventLog.wideKind)
        wide.append(UInt32(2))
        wide.append(Int64(1005))
        wide.append(Int64(1000))
        #expect(EventLog(stored: wide.bytes) == nil)
        #expect(EventLog(stored: Array(EventLog(times: [1, 2, 3]).stored().dropLast())) == nil)
    }

    /// A garbled slot's first time may sit anywhere: a delta that would carry it past Int64.max is no log, not a trap.
    @Test func anEventLogWhoseDeltaOverflowsDoesNotDecode() {
        var garbled = ValueBytes(capacity: 17)
        garbled.append(EventLog.kind)
        garbled.append(UInt32(2))
        garbled.append(Int64.max - 1)
        garbled.append(UInt32(5))
        #expect(EventLog(stored: garbled.bytes) == nil)
    }

    /// An unknown identifier's check decodes these bytes where a wrong code's decodes a record: they must decode in full.
    @Test func theStandInBytesAreTheStandInRecordsSlotForm() {
        #expect(FileStore.standInBytes == FileStore.standIn.stored())
        #expect(Record(stored: FileStore.standInBytes) == FileStore.standIn)
    }
}
