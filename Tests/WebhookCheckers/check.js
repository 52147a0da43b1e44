// Runs examples/otp-webhook.js, as the README shows it, on each request of stdin (one JSON object a line: body,
// headers): "ok NUMBER CODE" or "no" per line.
const path = require('node:path');
const { otpWebhookEvent } = require(path.join(__dirname, '..', '..', 'examples', 'otp-webhook.js'));

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  for (const line of input.split('\n').filter((l) => l.length > 0)) {
    const request = JSON.parse(line);
    const event = otpWebhookEvent(Buffer.from(request.body, 'utf8'), request.headers, process.env.WEBHOOK_SECRET);
    console.log(event === null ? 'no' : `ok ${event.number} ${event.code}`);
  }
});
