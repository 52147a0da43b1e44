<?php
// Checks a token from otp-cgi's verify: its claims when it is genuine, fresh, new to this site and, given a $state,
// issued to the browser that holds it, else null. Given any $state at all, even null (a missing cookie), the token
// must carry that very one: only a call without the argument skips the check.
function otp_token_claims(string $token, string $secret, string $seen_dir,
                          string $issuer = 'otp-cgi', ?string $audience = null, ?string $state = null): ?array {
    $part = explode('.', $token);
    if (count($part) !== 3) return null;
    $json = fn(string $b64) => json_decode((string)base64_decode(strtr($b64, '-_', '+/'), true), true);
    $mac = rtrim(strtr(base64_encode(hash_hmac('sha256', "$part[0].$part[1]", $secret, true)), '+/', '-_'), '=');
    $claims = $json($part[1]);
    if (!hash_equals($mac, $part[2]) || ($json($part[0])['alg'] ?? null) !== 'HS256' || !is_array($claims)
        || ($claims['iss'] ?? null) !== $issuer || ($claims['aud'] ?? null) !== $audience
        || !is_int($claims['exp'] ?? null) || $claims['exp'] <= time() || !is_string($claims['jti'] ?? null)
        || (func_num_args() > 5 && (!is_string($state) || $state === '' || !is_string($claims['state'] ?? null)
                                    || !hash_equals($state, $claims['state'])))) return null;
    // Each token counts once: only the first use can create the file named for its jti.
    $seen = @fopen($seen_dir . '/' . hash('sha256', $claims['jti']), 'x');
    if ($seen === false) return null;
    fclose($seen);
    return $claims;
}
