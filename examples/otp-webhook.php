<?php
// Checks a request from otp-cgi's SMS webhook (Standard Webhooks): its event when the signature is right and the
// timestamp within five minutes, else null. $body is the raw request body (file_get_contents('php://input')),
// $headers an array whose keys are the lowercase header names.
function otp_webhook_event(string $body, array $headers, string $secret, int $tolerance = 300): ?array {
    $id = $headers['webhook-id'] ?? '';
    $timestamp = $headers['webhook-timestamp'] ?? '';
    if ($id === '' || !ctype_digit($timestamp) || abs(time() - (int)$timestamp) > $tolerance) return null;
    if (!str_starts_with($secret, 'whsec_')) return null;
    $key = base64_decode(substr($secret, 6), true);
    if ($key === false) return null;
    $expected = 'v1,' . base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
    foreach (explode(' ', $headers['webhook-signature'] ?? '') as $given) {
        if (hash_equals($expected, $given)) {
            $event = json_decode($body, true);
            return is_array($event) ? $event : null;
        }
    }
    return null;
}
