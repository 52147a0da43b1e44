<?php
// Runs examples/check-token.php, as docs/token.md shows it, on each token of stdin: "ok SUB" or "no" per line.
require __DIR__ . '/../../examples/check-token.php';
// TOKEN_STATE binds the check to that state; TOKEN_STATE_MISSING to a cookie that is not there (null).
$cookies = getenv('TOKEN_STATE') ? ['otp_state' => getenv('TOKEN_STATE')] : [];
while (($line = fgets(STDIN)) !== false) {
    $claims = getenv('TOKEN_STATE') || getenv('TOKEN_STATE_MISSING')
        ? otp_token_claims(trim($line), getenv('TOKEN_SECRET'), getenv('SEEN_DIR'), getenv('TOKEN_ISSUER'),
                           getenv('TOKEN_AUDIENCE') ?: null, $cookies['otp_state'] ?? null)
        : otp_token_claims(trim($line), getenv('TOKEN_SECRET'), getenv('SEEN_DIR'), getenv('TOKEN_ISSUER'),
                           getenv('TOKEN_AUDIENCE') ?: null);
    echo $claims === null ? "no\n" : "ok {$claims['sub']}\n";
}
