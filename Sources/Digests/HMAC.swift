// HMAC-SHA256 (RFC 2104): how the store names records and seals codes without keeping either in plaintext.

public enum HMAC {
    public static func sha256<Key: Collection, Message: Sequence>(key: Key, message: Message) -> [UInt8]
    where Key.Element == UInt8, Message.Element == UInt8 {
        HMACKey(Array(key)).sha256(message)
    }
}

/// A key with its two padded blocks already hashed: each HMAC under it starts from those states, so a short
/// message costs two compressions instead of four. A request names its records and seals its code with one key
/// eight to ten times.
public struct HMACKey: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    public init(_ key: [UInt8]) {
        var block = key.count > SHA256.blockSize ? SHA256.hash(key) : key
        block.append(contentsOf: repeatElement(0, count: SHA256.blockSize - block.count))
        var inner = SHA256(), outer = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        outer.update(block.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    public func sha256<Message: Sequence>(_ message: Message) -> [UInt8] where Message.Element == UInt8 {
        var inner = self.inner
        inner.update(message)
        return finish(inner)
    }

    /// Several parts, each prefixed with its length so that ("ab","c") and ("a","bc") differ. Hashed as they are:
    /// a request names two or three records this way, and building the message first cost more than hashing it.
    public func sha256(parts: [String]) -> [UInt8] {
        var inner = self.inner
        for part in parts {
            withUnsafeBytes(of: UInt32(part.utf8.count).bigEndian) { inner.update($0) }
            var part = part  // a short string's UTF-8 lies in place only through withUTF8
            part.withUTF8 { inner.update(UnsafeRawBufferPointer($0)) }
        }
        return finish(inner)
    }

    private func finish(_ inner: SHA256) -> [UInt8] {
        var inner = inner, outer = self.outer
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
