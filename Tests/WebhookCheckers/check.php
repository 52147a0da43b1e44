<?php
// Runs examples/otp-webhook.php, as the README shows it, on each request of stdin (one JSON object a line: body,
// headers): "ok NUMBER CODE" or "no" per line.
require __DIR__ . '/../../examples/otp-webhook.php';

while (($line = fgets(STDIN)) !== false) {
    $request = json_decode($line, true);
    $event = otp_webhook_event($request['body'], $request['headers'], getenv('WEBHOOK_SECRET'));
    echo $event === null ? "no\n" : "ok {$event['number']} {$event['code']}\n";
}
