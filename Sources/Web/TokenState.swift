// The `state` a site may send with a code: opaque to the service, bounded, and handed back as a claim of the token.

/// It binds a token to the browser that asked for it: the site puts a random value in its own cookie and in the
/// form's `state`, and accepts a token only when the claim equals its cookie. A token stolen or made for someone
/// else's browser then fails at the site (login CSRF).
enum TokenState {
    static let maxBytes = 256

    /// Nil when the field is absent or empty; printable ASCII only (a cookie's value, hex, base64), so it needs no
    /// escaping anywhere it goes.
    static func parse(_ text: String?) throws(WebError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.count <= maxBytes, text.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw .badRequest("state must be 1 to \(maxBytes) printable ASCII characters without spaces")
        }
        return text
    }
}
