#!/usr/bin/env python3
# Runs examples/check_token.py, as docs/token.md shows it, on each token of stdin: "ok SUB" or "no" per line.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from check_token import otp_token_claims  # noqa: E402

# TOKEN_STATE binds the check to that state; TOKEN_STATE_MISSING to a cookie that is not there (None).
cookies = {"otp_state": os.environ["TOKEN_STATE"]} if os.environ.get("TOKEN_STATE") else {}
bound = bool(os.environ.get("TOKEN_STATE") or os.environ.get("TOKEN_STATE_MISSING"))
for line in sys.stdin:
    binding = {"state": cookies.get("otp_state")} if bound else {}
    claims = otp_token_claims(line.strip(), os.environ["TOKEN_SECRET"], os.environ["SEEN_DIR"],
                              os.environ["TOKEN_ISSUER"], os.environ.get("TOKEN_AUDIENCE") or None, **binding)
    print("no" if claims is None else f"ok {claims['sub']}")
