// Runs examples/check-token.js, as docs/token.md shows it, on each token of stdin: "ok SUB" or "no" per line.
const { otpTokenClaims } = require('../../examples/check-token.js');

// TOKEN_STATE binds the check to that state; TOKEN_STATE_MISSING to a cookie that is not there (undefined).
const env = process.env;
const cookies = env.TOKEN_STATE ? { otp_state: env.TOKEN_STATE } : {};
for (const line of require('node:fs').readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const claims = env.TOKEN_STATE || env.TOKEN_STATE_MISSING
    ? otpTokenClaims(line.trim(), env.TOKEN_SECRET, env.SEEN_DIR, env.TOKEN_ISSUER, env.TOKEN_AUDIENCE || null, cookies.otp_state)
    : otpTokenClaims(line.trim(), env.TOKEN_SECRET, env.SEEN_DIR, env.TOKEN_ISSUER, env.TOKEN_AUDIENCE || null);
  console.log(claims === null ? 'no' : `ok ${claims.sub}`);
}
