#!/usr/bin/env python3
# Runs examples/check_token.py, as docs/token.md shows it, on each token of stdin: "ok SUB" or "no" per line.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from check_token import otp_token_claims  # noqa: E402

for line in sys.stdin:
    claims = otp_token_claims(line.strip(), os.environ["TOKEN_SECRET"], os.environ["SEEN_DIR"],
                              os.environ["TOKEN_ISSUER"], os.environ.get("TOKEN_AUDIENCE") or None,
                              os.environ.get("TOKEN_STATE") or None)
    print("no" if claims is None else f"ok {claims['sub']}")
