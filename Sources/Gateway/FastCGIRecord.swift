// FastCGI 1.0 records (the specification's section 3 and 8): the framing both sides of a connection speak.

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
    /// malformed. `prefixed` gets the pairs the filter keeps by prefix as they came, each as its two lengths (four
    /// bytes each) and its bytes: equal for two requests exactly when they carry the same such variables in the same
    /// order. Comparing them is one `memcmp`, where comparing the variables is a hash and a lookup each.
    static func environment(_ bytes: [UInt8], keeping filter: VariableFilter?, prefixed: inout [UInt8]) -> [String: String]? {
        var env = [String: String](minimumCapacity: 32)
        return each(in: bytes) { name, value in
            var kept = VariableFilter.Kept.byName
            if let filter {
                guard let found = filter.keeps(name) else { return }
                kept = found
            }
            if kept == .byPrefix {
                func appendCount(_ count: Int) {
                    withUnsafeBytes(of: UInt32(truncatingIfNeeded: count)) { prefixed.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
                }
                appendCount(name.count)
                appendCount(value.count)
                prefixed.append(contentsOf: name.assumingMemoryBound(to: UInt8.self))
                prefixed.append(contentsOf: value.assumingMemoryBound(to: UInt8.self))
            }
            env[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        } ? env : nil
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
        func length(_ n: Int) {
            if n < 0x80 { out.append(UInt8(n)) } else {
                out += [UInt8(n >> 24 & 0x7f) | 0x80, UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
            }
        }
        for (name, value) in pairs {
            length(name.utf8.count)
            length(value.utf8.count)
            out += name.utf8
            out += value.utf8
        }
        return out
    }
}
