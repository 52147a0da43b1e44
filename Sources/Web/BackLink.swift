// Where an answer page's "Back" link leads: the page the visitor started from, carried through the page's forms.

/// The `back` field the answer pages' own forms carry, else the form post's Referer: so a check posted from a
/// "Code sent" page still leads back to the page that asked for the code. Only an absolute http(s) URL without
/// spaces or controls, and never a page of the endpoints themselves (one in the request's own directory): those
/// answer POSTs, and following a link to one would be a GET, a 405.
enum BackLink {
    static func url(field: String?, referer: String?, requestURI: String?) -> String? {
        for candidate in [field, referer] {
            guard let candidate, isWebURL(candidate) else { continue }
            if let requestURI, directory(ofPath: path(of: candidate)) == directory(ofPath: requestURI) { continue }
            return candidate
        }
        return nil
    }

    static func isWebURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let scheme = bytes.prefix(8).map { $0 | 0x20 }
        guard bytes.count <= 2048, scheme.starts(with: Array("http://".utf8)) || scheme.starts(with: Array("https://".utf8)) else {
            return false
        }
        return !bytes.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    /// The path of an absolute URL: from the first "/" after "//" to the query or fragment.
    static func path(of url: String) -> [UInt8] {
        let bytes = Array(url.utf8)
        guard let slashes = bytes.firstRange(of: Array("//".utf8)) else { return [] }
        let afterHost = bytes[slashes.upperBound...]
        guard let start = afterHost.firstIndex(of: UInt8(ascii: "/")) else { return Array("/".utf8) }
        return Array(bytes[start...].prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") })
    }

    /// Everything up to and including the last "/" before any query.
    static func directory(ofPath path: some Collection<UInt8>) -> [UInt8] {
        let plain = Array(path.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") })
        guard let last = plain.lastIndex(of: UInt8(ascii: "/")) else { return [] }
        return Array(plain[...last])
    }

    static func directory(ofPath path: String) -> [UInt8] { directory(ofPath: Array(path.utf8)) }
}
