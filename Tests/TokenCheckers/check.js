// Runs examples/check-token.js, as docs/token.md shows it, on each token of stdin: "ok SUB" or "no" per line.
const { otpTokenClaims } = require('../../examples/check-token.js');

const env = process.env;
for (const line of require('node:fs').readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const claims = otpTokenClaims(line.trim(), env.TOKEN_SECRET, env.SEEN_DIR, env.TOKEN_ISSUER, env.TOKEN_AUDIENCE || null,
                                 env.TOKEN_STATE || null);
  console.log(claims === null ? 'no' : `ok ${claims.sub}`);
}
