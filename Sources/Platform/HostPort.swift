// `host`, `host:port`, `[IPv6]` or `[IPv6]:port`: the one parser of an address and port in settings and replies.

public struct HostPort: Equatable, Sendable {
    /// Without brackets; may be empty (a caller decides whether that means something).
    public let host: Substring
    public let port: Int?

    /// Nil when brackets do not close, something follows them but a port, or the port is not 1 to 65535 in
    /// at most five ASCII digits.
    /// Delimiters are found as bytes: a `]` or `:` followed by a combining mark is still a delimiter.
    public init?(_ text: Substring) {
        let bytes = text.utf8
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = text[bytes.index(after: bytes.startIndex)..<close]
            let after = bytes.index(after: close)
            if after == bytes.endIndex { port = nil; return }
            guard bytes[after] == UInt8(ascii: ":"), let number = Self.port(text[bytes.index(after: after)...]) else { return nil }
            port = number
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            host = text[..<colon]
            guard let number = Self.port(text[bytes.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = text
            port = nil
        }
    }

    static func port(_ digits: Substring) -> Int? {
        guard digits.utf8.count <= 5, ASCII.isNumber(digits.utf8), let number = Int(digits), (1...65_535).contains(number) else { return nil }
        return number
    }
}

extension HostPort {
    /// Dot-separated labels of letters, digits, `-` and `_`, none empty, 253 bytes at most (an IPv4 address is such
    /// a name too): nothing that could end a URL's host, start a command-line option or split a header. The one
    /// check of a host name, in settings and URLs alike.
    public static func isHostName(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253, bytes.first != UInt8(ascii: "-") else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.allSatisfy { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        }
    }
}
