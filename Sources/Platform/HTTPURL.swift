// An absolute http(s) URL, parsed so that it is compared by its parts: the one reader of every http(s) URL the
// program reads (a `next` and its allowed prefixes, a Back link, the allowed origins, the Twilio base URL).

/// A string prefix would let `https://site.example.evil.example/` or `https://site.example@evil.example/` pass
/// for `https://site.example`; here scheme, host and port must be equal and the path must continue the allowed
/// one at a segment boundary. Anything unusual (user info, a backslash, a space, a dot segment, non-ASCII) is
/// refused rather than interpreted, since browsers interpret such URLs in ways that differ.
public struct HTTPURL: Sendable, Equatable {
    public let scheme: String
    public let host: String
    /// Nil for the scheme's default port.
    public let port: Int?
    /// Never empty: an absent path is "/".
    public let path: String
    /// The query and fragment, with their `?` or `#`.
    public let rest: String

    public static let maxBytes = 2048

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxBytes,
              bytes.allSatisfy({ (0x21...0x7e).contains($0) && !#""<>\^`{|}'"#.utf8.contains($0) }) else { return nil }
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { (c: Character) in c == "/" || c == "?" || c == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd].lowercased()
        guard let hostPort = HostPort(Substring(authority)) else { return nil }
        let host = hostPort.host, port = hostPort.port == (scheme == "https" ? 443 : 80) ? nil : hostPort.port
        guard HostPort.isHostName(host) else { return nil }
        let tail = afterScheme[authorityEnd...]
        let pathEnd = tail.firstIndex(where: { (c: Character) in c == "?" || c == "#" }) ?? tail.endIndex
        let path = tail[..<pathEnd].isEmpty ? "/" : String(tail[..<pathEnd])
        let isDotSegment = { (segment: Substring) in
            let plain = PercentDecoding.decode(Array(segment.utf8), plusIsSpace: false)
            return plain == [UInt8(ascii: ".")] || plain == [UInt8(ascii: "."), UInt8(ascii: ".")]
        }
        guard !path.split(separator: "/", omittingEmptySubsequences: false).contains(where: isDotSegment) else { return nil }
        (self.scheme, self.host, self.port, self.path, rest) = (scheme, String(host), port, path, String(tail[pathEnd...]))
    }

    /// Where a page may send a form to, in a Content-Security-Policy `form-action`.
    public var origin: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") }

    /// The normalised URL: lower-case scheme and host, no default port.
    public var text: String { origin + path + rest }

    /// A prefix with a query or fragment allows exactly itself.
    public func isUnder(_ prefix: HTTPURL) -> Bool {
        guard scheme == prefix.scheme, host == prefix.host, port == prefix.port else { return false }
        if !prefix.rest.isEmpty { return path == prefix.path && rest == prefix.rest }
        return path == prefix.path || path.hasPrefix(prefix.path.hasSuffix("/") ? prefix.path : prefix.path + "/")
    }
}
