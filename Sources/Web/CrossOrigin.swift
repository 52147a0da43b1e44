// OTP_ALLOWED_ORIGINS: which web pages may call the endpoints from a browser, their CORS headers and preflight.

/// The Fetch standard's CORS protocol, for the few origins an operator lists. A page from any other origin is
/// refused with 403 before anything is stored or sent, so that a stranger's page cannot make visitors'
/// browsers request codes. A request without `Origin` (curl, a server) is not a browser's cross-site request
/// and passes; the resend and abuse limits still apply to it.
struct CrossOrigin {
    let allowed: [String]

    /// The headers every answer carries: nothing when unconfigured; otherwise `Vary: Origin`, since
    /// the answer depends on it, and for a listed origin the permission to read the answer (a 429's detail too).
    func headers(for origin: String?) throws(WebError) -> [(String, String)] {
        guard !allowed.isEmpty else { return [] }
        guard let origin else { return [("Vary", "Origin")] }
        guard allowed.contains(origin.lowercased()) else { throw .originNotAllowed }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    }

    /// The answer to an `OPTIONS` preflight from a listed origin: POST with a JSON body may follow. Anything
    /// else that asks with `OPTIONS` gets the 405 it got before origins were configured.
    func preflight(origin: String?) throws(WebError) -> Response {
        guard !allowed.isEmpty, let origin else { throw .methodNotAllowed }
        return Response(status: 204, detail: "", headers: try headers(for: origin) + [
            ("Access-Control-Allow-Methods", "POST"), ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Max-Age", "600"),
        ])
    }
}
