// Where an answer page's "Back" link leads: the page the visitor started from, carried through the page's forms.
import Platform

/// The `back` field the answer pages' own forms carry, else the form post's Referer: so a check posted from a
/// "Code sent" page still leads back to the page that asked for the code. Only an absolute http(s) URL (`HTTPURL`),
/// and never a page of the endpoints themselves (one in the request's own directory): those answer POSTs, and
/// following a link to one would be a GET, a 405.
enum BackLink {
    static func url(field: String?, referer: String?, requestURI: String?) -> String? {
        accepted(field, requestURI: requestURI) ?? accepted(referer, requestURI: requestURI)
    }

    private static func accepted(_ candidate: String?, requestURI: String?) -> String? {
        guard let candidate, let url = HTTPURL(candidate) else { return nil }
        if let requestURI, directory(ofPath: url.path) == directory(ofPath: requestURI) { return nil }
        return url.text
    }

    /// Everything up to and including the last "/" before any query.
    static func directory(ofPath path: String) -> [UInt8] {
        let plain = Array(path.utf8.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") })
        guard let last = plain.lastIndex(of: UInt8(ascii: "/")) else { return [] }
        return Array(plain[...last])
    }
}
