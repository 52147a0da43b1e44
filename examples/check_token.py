# Checks a token from otp-cgi's verify: its claims when it is genuine, fresh, new to this site and, given a state,
# issued to the browser that holds it, else None. Given any state at all, even None (a missing cookie), the token
# must carry that very one: only a call without the argument skips the check.
import hashlib
import hmac
import os

import jwt  # PyJWT


UNBOUND = object()


def otp_token_claims(token, secret, seen_dir, issuer="otp-cgi", audience=None, state=UNBOUND):
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=issuer, audience=audience,
                            options={"require": ["iss", "sub", "iat", "exp", "jti"]})
    except jwt.InvalidTokenError:
        return None
    if state is not UNBOUND and not (isinstance(state, str) and state and isinstance(claims.get("state"), str)
                                     and hmac.compare_digest(claims["state"].encode(), state.encode())):
        return None
    # Each token counts once: only the first use can create the file named for its jti.
    seen = os.path.join(seen_dir, hashlib.sha256(str(claims["jti"]).encode()).hexdigest())
    try:
        os.close(os.open(seen, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return None
    return claims
