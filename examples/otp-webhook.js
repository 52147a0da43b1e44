// Checks a request from otp-cgi's SMS webhook (Standard Webhooks): its event when the signature is right and the
// timestamp within five minutes, else null. `body` is the raw request body as a Buffer, `headers` an object whose
// keys are the lowercase header names (as Node's http module gives them).
const crypto = require('node:crypto');

function otpWebhookEvent(body, headers, secret, tolerance = 300) {
  const id = headers['webhook-id'], timestamp = headers['webhook-timestamp'];
  const signatures = String(headers['webhook-signature'] || '').split(' ');
  if (!id || !/^[0-9]+$/.test(timestamp || '') || Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) return null;
  if (typeof secret !== 'string' || !secret.startsWith('whsec_')) return null;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  const expected = Buffer.from(`v1,${mac}`, 'utf8');
  // Compared as bytes in constant time, each signature the header lists (a sender rotating keys lists two).
  const valid = signatures.some((given) => {
    const bytes = Buffer.from(given, 'utf8');
    return bytes.length === expected.length && crypto.timingSafeEqual(bytes, expected);
  });
  return valid ? JSON.parse(body) : null;
}

module.exports = { otpWebhookEvent };
