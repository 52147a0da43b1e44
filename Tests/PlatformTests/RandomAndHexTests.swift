// The CSPRNG's bytes and their hex: the one hex writer and reader.
import Testing
@testable import Platform

@Suite struct RandomTests {
    @Test func bytesDiffer() {
        #expect(Random.bytes(32) != Random.bytes(32))
        #expect(Random.bytes(0).isEmpty)
    }

    @Test func hexNamesAreTwiceAsLongAndDiffer() {
        let name = Random.hex(6)
        #expect(name.utf8.count == 12 && name.utf8.allSatisfy { ASCII.hexValue($0) != nil } && name != Random.hex(6))
    }
}

@Suite struct HexTests {
    /// The one hex-digit writer, read back by the one reader.
    @Test func everyNibbleIsWrittenLowerCaseAndReadBack() {
        #expect((0..<16).map { ASCII.hexDigit($0) } == Array("0123456789abcdef".utf8))
        #expect((0..<16).allSatisfy { ASCII.hexValue(ASCII.hexDigit($0)) == UInt8($0) })
    }

    @Test func bytesRoundTripAndEitherCaseIsRead() {
        let bytes: [UInt8] = [0x00, 0x0f, 0x10, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "000f10abff")
        #expect(Hex.decode("000F10ABff") == bytes)
        #expect(Hex.decode("abc") == nil && Hex.decode("zz") == nil)
    }
}
