// Checks a token from otp-cgi's verify: its claims when it is genuine, fresh, new to this site and, given a state,
// issued to the browser that holds it, else null. Given any state at all, even undefined (a missing cookie), the
// token must carry that very one: only a call without the argument skips the check.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function otpTokenClaims(token, secret, seenDir, issuer = 'otp-cgi', audience = null, ...binding) {
  const [header, payload, signature, ...more] = String(token).split('.');
  if (signature === undefined || more.length > 0) return null;
  // Compared as bytes: a signature of the right length in characters may hold a non-ASCII one.
  const mac = crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'utf8'), expected = Buffer.from(mac.toString('base64url'), 'utf8');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  let alg, claims;
  try {
    alg = JSON.parse(Buffer.from(header, 'base64url')).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url'));
  } catch {
    return null;
  }
  if (alg !== 'HS256' || claims?.iss !== issuer || (claims.aud ?? null) !== audience
      || !Number.isInteger(claims.exp) || claims.exp <= Date.now() / 1000 || typeof claims.jti !== 'string') return null;
  const state = binding[0];
  if (binding.length > 0 && (typeof state !== 'string' || state === '' || typeof claims.state !== 'string'
      || Buffer.byteLength(claims.state) !== Buffer.byteLength(state)
      || !crypto.timingSafeEqual(Buffer.from(claims.state), Buffer.from(state)))) return null;
  // Each token counts once: only the first use can create the file named for its jti.
  try {
    fs.writeFileSync(path.join(seenDir, crypto.createHash('sha256').update(claims.jti).digest('hex')), '', { flag: 'wx', mode: 0o600 });
  } catch {
    return null;
  }
  return claims;
}

module.exports = { otpTokenClaims };
