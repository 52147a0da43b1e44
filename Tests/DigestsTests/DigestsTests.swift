// SHA-256 against FIPS 180-4's examples, HMAC against RFC 4231, and the code generator's range.
import Testing
@testable import Digests
import Platform

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func matchesFIPSVectors(message: String, digest: String) {
        #expect(Hex.encode(SHA256.hash(message.utf8)) == digest)
    }

    @Test func hashesAMillionAs() {
        #expect(Hex.encode(SHA256.hash(repeatElement(UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding changes shape at 55, 56 and 64 bytes; split updates must not change the digest.
    @Test(arguments: [55, 56, 63, 64, 65, 119, 120])
    func incrementalUpdatesAgreeAcrossBlockBoundaries(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        hasher.update(bytes.prefix(length / 3))
        hasher.update(bytes.dropFirst(length / 3))
        #expect(hasher.finalize() == SHA256.hash(bytes))
    }
}

@Suite struct HMACTests {
    private static func hex(_ text: String) -> [UInt8] { Hex.decode(Substring(text))! }

    // RFC 4231 section 4: test cases 1, 2, 3, 4, 6 and 7 (HMAC-SHA-256).
    @Test(arguments: [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func matchesRFC4231(key: [UInt8], message: [UInt8], mac: String) {
        #expect(Hex.encode(HMAC.sha256(key: key, message: message)) == mac)
    }

    @Test func truncatedCase5MatchesRFC4231() {
        let mac = HMAC.sha256(key: [UInt8](repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8))
        #expect(Hex.encode(Array(mac.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func partsAreFramedSoBoundariesMatter() {
        #expect(HMACKey([1]).sha256(parts: ["ab", "c"]) != HMACKey([1]).sha256(parts: ["a", "bc"]))
    }

    /// One key serves every HMAC of a request: its saved states must come out of each use unchanged, so the
    /// RFC's cases 1 and 2 hold in any order and again after each other under one `HMACKey`.
    @Test func aKeyGivesTheSameMACsHoweverOftenItIsUsed() {
        let key = HMACKey([UInt8](repeating: 0x0b, count: 20)), jefe = HMACKey(Array("Jefe".utf8))
        for _ in 0..<3 {
            #expect(Hex.encode(key.sha256(Array("Hi There".utf8))) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
            #expect(Hex.encode(jefe.sha256(Array("what do ya want for nothing?".utf8)))
                    == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        }
    }
}

@Suite struct ConstantTimeTests {
    @Test func comparesWholeContents() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([9, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
    }
}
