// The proof a successful verify hands out: a compact JWS (RFC 7515), HS256, with the claims of RFC 7519.
import Digests
import OTP
import Platform

/// A site's backend checks it with the token key alone, so it need not take the browser's word for "Verified".
/// Made only when `OTP_TOKEN_SECRET` is set, after the code was accepted: nothing of it runs otherwise.
public enum VerificationToken {
    /// `{"alg":"HS256","typ":"JWT"}`: always the same, so written once.
    static let encodedHeader = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// `jti` is 128 random bits, so a site that remembers the ones it has seen can refuse a replay.
    /// `state`, when the request had one, is the claim `state`, for the site to compare with its own cookie.
    public static func make(for identifier: Identifier, state: String? = nil, settings: TokenSettings, secret: [UInt8], now: Int64,
                            jti: [UInt8] = Random.bytes(16)) -> String {
        var claims: [(String, JSONValue)] = [("iss", .string(settings.issuer))]
        if let audience = settings.audience { claims.append(("aud", .string(audience))) }
        claims += [
            ("sub", .string(identifier.value)), ("channel", .string(identifier.channel.rawValue)),
            ("iat", .integer(now)), ("exp", .integer(now + Int64(settings.ttlSeconds))), ("jti", .string(Base64URL.encode(jti))),
        ]
        if let state { claims.append(("state", .string(state))) }
        let signingInput = encodedHeader + "." + Base64URL.encode(Array(JSONWriter.object(claims, compact: true).utf8))
        return signingInput + "." + Base64URL.encode(HMAC.sha256(key: secret, message: signingInput.utf8))
    }
}
