// FastCGI 1.0 records (the specification's section 3 and 8): the framing both sides of a connection speak.
#if canImport(Glibc)
import Glibc
#endif

public struct FastCGIRecord: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        case beginRequest = 1, abortRequest, endRequest, params, stdin, stdout, stderr, data, getValues,
             getValuesResult, unknownType
    }

    /// Roles, flags and protocol statuses this responder uses (section 8).
    public static let responderRole: UInt16 = 1
    public static let keepConnection: UInt8 = 1
    public enum ProtocolStatus: UInt8, Sendable {
        case requestComplete = 0, cantMultiplexConnection, overloaded, unknownRole
    }

    public static let headerLength = 8
    public static let maxContentLength = 65_535

    /// The raw type byte, so that a type this responder does not know can be answered with FCGI_UNKNOWN_TYPE.
    public var type: UInt8
    public var requestID: UInt16
    public var content: [UInt8]

    public init(type: UInt8, requestID: UInt16, content: [UInt8] = []) {
        self.type = type; self.requestID = requestID; self.content = content
    }

    public init(_ kind: Kind, requestID: UInt16, content: [UInt8] = []) {
        self.init(type: kind.rawValue, requestID: requestID, content: content)
    }

    public var kind: Kind? { Kind(rawValue: type) }

    /// A header's fields, or nil when it is not FastCGI version 1 (the connection is then dropped).
    public static func header(_ bytes: ArraySlice<UInt8>) -> (type: UInt8, requestID: UInt16, contentLength: Int, paddingLength: Int)? {
        let b = Array(bytes)
        guard b.count == headerLength, b[0] == 1 else { return nil }
        return (b[1], UInt16(b[2]) << 8 | UInt16(b[3]), Int(b[4]) << 8 | Int(b[5]), Int(b[6]))
    }

    /// The record on the wire, padded to a multiple of eight bytes as the specification recommends.
    public var encoded: [UInt8] {
        precondition(content.count <= Self.maxContentLength)
        let padding = (8 - content.count % 8) % 8
        return [1, type, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8(content.count >> 8),
                UInt8(content.count & 0xff), UInt8(padding), 0] + content + [UInt8](repeating: 0, count: padding)
    }

    /// A stream's records for `bytes` (none when empty), each at most the largest 8-aligned length.
    public static func stream(_ kind: Kind, requestID: UInt16, _ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 65_528)
            out += FastCGIRecord(kind, requestID: requestID, content: Array(bytes[start..<end])).encoded
            start = end
        }
        return out
    }

    public static func endRequest(_ requestID: UInt16, appStatus: UInt32 = 0, _ status: ProtocolStatus) -> [UInt8] {
        FastCGIRecord(.endRequest, requestID: requestID, content: [
            UInt8(appStatus >> 24), UInt8(appStatus >> 16 & 0xff), UInt8(appStatus >> 8 & 0xff), UInt8(appStatus & 0xff),
            status.rawValue, 0, 0, 0,
        ]).encoded
    }
}

/// Name-value pairs (section 3.4): PARAMS and GET_VALUES bodies.
public enum FastCGIPairs {
    /// The pairs in `bytes`, or nil when a length runs past the end (a malformed stream).
    public static func decode(_ bytes: [UInt8]) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        return each(in: bytes) { name, value in pairs.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))) }
            ? pairs : nil
    }

    /// A request's PARAMS as its environment, only the variables `filter` keeps (all without one), or nil when
    /// malformed. The pairs the filter keeps by prefix (the settings) go to `prefixed` instead, as pairs of their own,
    /// in the order they came: equal for two requests exactly when they carry the same such variables in the same
    /// order, so a responder that keeps settings compares them with one `memcmp` and makes strings of them only when
    /// they differ.
    static func environment(_ bytes: [UInt8], keeping filter: VariableFilter?, prefixed: inout [UInt8]) -> [String: String]? {
        var env = [String: String](minimumCapacity: 32)
        return each(in: bytes) { name, value in
            if let filter {
                guard let kept = filter.keeps(name) else { return }
                if kept == .byPrefix {
                    appendLength(name.count, to: &prefixed)
                    appendLength(value.count, to: &prefixed)
                    prefixed.append(contentsOf: name.assumingMemoryBound(to: UInt8.self))
                    prefixed.append(contentsOf: value.assumingMemoryBound(to: UInt8.self))
                    return
                }
            }
            env[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        } ? env : nil
    }

    /// The value of `name` among `pairs`, compared as bytes: no string is made of the others.
    static func value(of name: String, in pairs: [UInt8]) -> String? {
        var found: String?
        var name = name
        _ = name.withUTF8 { wanted in
            each(in: pairs) { pairName, value in
                if pairName.count == wanted.count, wanted.count == 0 || memcmp(pairName.baseAddress!, wanted.baseAddress!, wanted.count) == 0 {
                    found = String(decoding: value, as: UTF8.self)
                }
            }
        }
        return found
    }

    /// Calls `body` with each pair's name and value bytes; false when a length runs past the end.
    private static func each(in bytes: [UInt8], _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> Bool {
        bytes.withUnsafeBytes { bytes in
            var i = 0
            func length() -> Int? {
                guard i < bytes.count else { return nil }
                if bytes[i] < 0x80 { i += 1; return Int(bytes[i - 1]) }
                guard i + 4 <= bytes.count else { return nil }
                let n = Int(bytes[i] & 0x7f) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
                i += 4
                return n
            }
            while i < bytes.count {
                guard let nameLength = length(), let valueLength = length(),
                      nameLength <= bytes.count - i, valueLength <= bytes.count - i - nameLength else { return false }
                body(UnsafeRawBufferPointer(rebasing: bytes[i..<i + nameLength]),
                     UnsafeRawBufferPointer(rebasing: bytes[i + nameLength..<i + nameLength + valueLength]))
                i += nameLength + valueLength
            }
            return true
        }
    }

    public static func encode(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in pairs {
            appendLength(name.utf8.count, to: &out)
            appendLength(value.utf8.count, to: &out)
            out += name.utf8
            out += value.utf8
        }
        return out
    }

    /// One byte below 128, else four with the top bit set (section 3.4).
    private static func appendLength(_ n: Int, to out: inout [UInt8]) {
        if n < 0x80 { out.append(UInt8(n)); return }
        out.append(UInt8(n >> 24 & 0x7f) | 0x80)
        out.append(UInt8(n >> 16 & 0xff))
        out.append(UInt8(n >> 8 & 0xff))
        out.append(UInt8(n & 0xff))
    }
}
