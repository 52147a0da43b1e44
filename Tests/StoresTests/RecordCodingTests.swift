// The file store's disk form of a record: a round trip, the old format, and a torn or altered file reading as absent.
import Testing
@testable import Stores
import OTP
import Crypto

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

    @Test func roundTripsWithCountersAndReadsTheOldFormat() {
        let record = Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030, windowEndsAt: 4600, sends: 2, failures: 7)
        #expect(Record(decoding: record.encoded()) == record)
        let body = "otp1 \(Hex.encode(mac)) 1300 3 1030"
        let old = Array((body + " " + Record.checksum(body) + "\n").utf8)
        #expect(Record(decoding: old) == Record(codeMAC: mac, expiresAt: 1300, attempts: 3, resendAt: 1030))
        let wrongCount = "otp1 \(Hex.encode(mac)) 1300 3 1030 4600 2 7"
        #expect(Record(decoding: Array((wrongCount + " " + Record.checksum(wrongCount) + "\n").utf8)) == nil)
    }

    /// An unknown identifier's check decodes this line where a wrong code's decodes a record: it must decode in full.
    @Test func theStandInLineIsTheStandInRecordsDiskForm() {
        #expect(FileStore.standInLine == FileStore.standIn.encoded())
        #expect(Record(decoding: FileStore.standInLine) == FileStore.standIn)
    }
}
