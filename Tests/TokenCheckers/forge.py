#!/usr/bin/env python3
# Makes the tokens an attacker would try out of a genuine one, with nothing but Python's standard library.
# Reads {"token": ..., "secret": ...} on stdin and writes {"changed_claim": ..., ...} on stdout.
import base64
import hashlib
import hmac
import json
import secrets
import sys


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main():
    given = json.load(sys.stdin)
    header, payload, signature = given["token"].split(".")
    # Each forgery gets a jti of its own, so that only what it forges, not the checker's memory of the genuine
    # token's jti, can get it refused.
    claims = dict(json.loads(unb64(payload)), jti=b64(secrets.token_bytes(16)))
    other = dict(claims, sub="mallory@example.com", jti=b64(secrets.token_bytes(16)))

    def signed(header_fields, body, digest):
        head = b64(json.dumps(header_fields, separators=(",", ":")).encode())
        body = b64(json.dumps(body, separators=(",", ":")).encode())
        mac = hmac.new(given["secret"].encode(), f"{head}.{body}".encode(), digest).digest()
        return f"{head}.{body}.{b64(mac)}"

    none_head = b64(b'{"alg":"none","typ":"JWT"}')
    unsigned = b64(json.dumps(claims, separators=(",", ":")).encode())
    json.dump({
        # The genuine signature over other claims.
        "changed_claim": f"{header}.{b64(json.dumps(other, separators=(',', ':')).encode())}.{signature}",
        # RFC 7519 section 6: an unsecured JWT, with an empty signature and with the genuine one left on.
        "alg_none": f"{none_head}.{unsigned}.",
        "alg_none_signed": f"{none_head}.{unsigned}.{signature}",
        # Correctly signed with the right key, but by HS512: a checker must insist on HS256, not obey the header.
        "alg_hs512": signed({"alg": "HS512", "typ": "JWT"}, claims, hashlib.sha512),
        # The genuine signature with its last character made non-ASCII: as long in characters, longer in bytes.
        "non_ascii_signature": f"{header}.{payload}.{signature[:-1]}\u00e9",
    }, sys.stdout)


main()
