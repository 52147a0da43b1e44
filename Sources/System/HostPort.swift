// `host`, `host:port`, `[IPv6]` or `[IPv6]:port`: the one parser of an address and port in settings and replies.

public struct HostPort: Equatable, Sendable {
    /// Without brackets; may be empty (a caller decides whether that means something).
    public let host: Substring
    public let port: Int?

    /// Nil when brackets do not close, something follows them but a port, or the port is not 1 to 65535 in
    /// at most five ASCII digits.
    public init?(_ text: Substring) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.isEmpty { port = nil; return }
            guard after.hasPrefix(":"), let number = Self.port(after.dropFirst()) else { return nil }
            port = number
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            guard let number = Self.port(text[text.index(after: colon)...]) else { return nil }
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
