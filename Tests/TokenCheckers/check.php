<?php
// Runs examples/check-token.php, as docs/token.md shows it, on each token of stdin: "ok SUB" or "no" per line.
require __DIR__ . '/../../examples/check-token.php';
while (($line = fgets(STDIN)) !== false) {
    $claims = otp_token_claims(trim($line), getenv('TOKEN_SECRET'), getenv('SEEN_DIR'), getenv('TOKEN_ISSUER'),
                               getenv('TOKEN_AUDIENCE') ?: null, getenv('TOKEN_STATE') ?: null);
    echo $claims === null ? "no\n" : "ok {$claims['sub']}\n";
}
