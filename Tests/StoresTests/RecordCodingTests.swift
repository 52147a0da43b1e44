// The file store's disk form of a record: a round trip, the old format, and a torn or altered file reading as absent.
import Platform
import Testing
@testable import Stores
import OTP

@Suite struct RecordCodingTests {
    let mac = [UInt8](repeating: 7, count: 32)

    @Test func roundTripsThroughItsDiskForm() {
        for record in [Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030),
                       Record(codeMAC: [], expiresAt: 0, attempts: 0, resendAt: 99)] {
            #expect(Record(decoding: record.encoded()) == record)
        }
    }

    @Test func aTornOrAlteredRecordDoesNotDecode() {
        let bytes = Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030).encoded()
        for cut in [0, 1, 10, bytes.count - 1] { #expect(Record(decoding: Array(bytes.prefix(cut))) == nil) }
        var altered = bytes
        altered[altered.count / 2] ^= 1
        #expect(Record(decoding: altered) == nil)
        #expect(Record(decoding: [UInt8](repeating: 0, count: 100)) == nil)
    }

    /// The formats before the event logs are read as the code they hold; their counters are dropped.
    @Test func readsTheOlderFormats() {
        for body in ["otp1 \(Hex.encode(mac)) 1300 3 1030", "otp2 \(Hex.encode(mac)) 1300 3 1030 4600 2 7"] {
            #expect(Record(decoding: RecordLine.encode(body)) == Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030))
        }
        for body in ["otp1 \(Hex.encode(mac)) 1300 3 1030 4600 2 7", "otp3 \(Hex.encode(mac)) 1300 3 1030 4600 2 7"] {
            #expect(Record(decoding: RecordLine.encode(body)) == nil)
        }
    }

    @Test func anEventLogRoundTripsAndRefusesTimesOutOfOrder() {
        let log = EventLog(times: [1000, 1000, 1003, 1_800_000_000])
        #expect(EventLog(decoding: log.encoded()) == log)
        #expect(EventLog(decoding: EventLog().encoded()) == EventLog())
        #expect(EventLog(decoding: RecordLine.encode("otpl 5 4")) == nil)
        #expect(EventLog(decoding: log.encoded().dropLast(3) + [0x0a]) == nil)
        #expect(EventLog(decoding: Record(codeMAC: mac, expiresAt: 1, attempts: 0, resendAt: 1).encoded()) == nil)
    }

    /// An unknown identifier's check decodes this line where a wrong code's decodes a record: it must decode in full.
    @Test func theStandInLineIsTheStandInRecordsDiskForm() {
        #expect(FileStore.standInLine == FileStore.standIn.encoded())
        #expect(Record(decoding: FileStore.standInLine) == FileStore.standIn)
    }
}
