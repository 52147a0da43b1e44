// RESP2, Redis's wire format: commands out as arrays of bulk strings, replies in as one of five types.

/// One reply. Bounded on the way in, since a confused or hostile peer could announce any length.
public enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8]?)
    case array([RESPValue]?)

    static let maxBulkBytes = 1 << 20
    static let maxArrayCount = 1024
    static let maxDepth = 4

    /// A command as RESP2 sends it: `*N`, then each argument as `$len` and its bytes.
    static func command(_ arguments: [[UInt8]]) -> [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.count)\r\n".utf8)
            out += argument
            out += [13, 10]
        }
        return out
    }

    /// Parses one reply at `start`: the value and where the next begins, nil while the buffer holds only part
    /// of it, or an error for bytes that are not RESP2.
    static func parse(_ buffer: [UInt8], at start: Int, depth: Int = 0) throws(RESPError) -> (RESPValue, Int)? {
        guard depth <= maxDepth else { throw RESPError("reply nested too deeply") }
        guard start < buffer.count, let (line, next) = try Self.line(buffer, from: start + 1) else { return nil }
        switch buffer[start] {
        case UInt8(ascii: "+"): return (.simple(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: "-"): return (.error(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: ":"): return (.integer(try integer(line)), next)
        case UInt8(ascii: "$"):
            let length = try integer(line)
            if length == -1 { return (.bulk(nil), next) }
            guard (0...Int64(maxBulkBytes)).contains(length) else { throw RESPError("bulk length \(length) out of bounds") }
            let end = next + Int(length)
            guard buffer.count >= end + 2 else { return nil }
            guard buffer[end] == 13 && buffer[end + 1] == 10 else { throw RESPError("bulk string not followed by CRLF") }
            return (.bulk(Array(buffer[next..<end])), end + 2)
        case UInt8(ascii: "*"):
            let count = try integer(line)
            if count == -1 { return (.array(nil), next) }
            guard (0...Int64(maxArrayCount)).contains(count) else { throw RESPError("array length \(count) out of bounds") }
            var items: [RESPValue] = [], position = next
            for _ in 0..<count {
                guard let (item, after) = try parse(buffer, at: position, depth: depth + 1) else { return nil }
                items.append(item)
                position = after
            }
            return (.array(items), position)
        default:
            throw RESPError("unknown reply type byte \(buffer[start])")
        }
    }

    /// A line ends at CRLF; a line longer than any Redis sends is garbage.
    private static func line(_ buffer: [UInt8], from start: Int) throws(RESPError) -> (ArraySlice<UInt8>, Int)? {
        var i = start
        while i + 1 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 { return (buffer[start..<i], i + 2) }
            i += 1
            if i - start > 64 * 1024 { throw RESPError("reply line too long") }
        }
        return nil
    }

    private static func integer(_ line: ArraySlice<UInt8>) throws(RESPError) -> Int64 {
        guard let value = Int64(String(decoding: line, as: UTF8.self)) else { throw RESPError("malformed integer in reply") }
        return value
    }
}

struct RESPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
