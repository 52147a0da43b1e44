// RESP2 as Redis writes it: each reply type, replies split anywhere, and bytes no Redis would send.
import Testing
@testable import Stores

@Suite struct RESPTests {
    @Test func aCommandIsAnArrayOfBulkStrings() {
        #expect(RESPValue.command([Array("GET".utf8), Array("k\r\n".utf8), []]) == Array("*3\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n".utf8))
    }

    @Test(arguments: [
        ("+OK\r\n", RESPValue.simple("OK")),
        ("-NOSCRIPT No matching script.\r\n", .error("NOSCRIPT No matching script.")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nab\r\nc\r\n", .bulk(Array("ab\r\nc".utf8))),
        ("$0\r\n\r\n", .bulk([])),
        ("$-1\r\n", .bulk(nil)),
        ("*-1\r\n", .array(nil)),
        ("*3\r\n:1\r\n$2\r\nhi\r\n*1\r\n:7\r\n", .array([.integer(1), .bulk(Array("hi".utf8)), .array([.integer(7)])])),
    ])
    func parsesEachReplyTypeWhereverTheBytesAreSplit(wire: String, value: RESPValue) throws {
        let bytes = Array(wire.utf8)
        for cut in 0..<bytes.count {
            #expect(try RESPValue.parse(Array(bytes[..<cut]), at: 0) == nil, "a reply cut at \(cut) is incomplete")
        }
        let parsed = try #require(try RESPValue.parse(bytes + Array("+NEXT\r\n".utf8), at: 0))
        #expect(parsed.0 == value && parsed.1 == bytes.count)
    }

    @Test(arguments: ["?x\r\n", ":12a\r\n", "$2\r\nabcd\r\n", "$-2\r\n", "$2000000\r\n", "*5000\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"])
    func refusesWhatNoRedisSends(wire: String) {
        #expect(throws: RESPError.self) { try RESPValue.parse(Array(wire.utf8), at: 0) }
    }
}
