# Checks a request from otp-cgi's SMS webhook (Standard Webhooks): its event when the signature is right and the
# timestamp within five minutes, else None. `body` is the raw request body as bytes, `headers` a mapping whose
# keys are the lowercase header names.
import base64
import hashlib
import hmac
import json
import time


def otp_webhook_event(body, headers, secret, tolerance=300):
    webhook_id, timestamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
    signatures = (headers.get("webhook-signature") or "").split(" ")
    if not webhook_id or not timestamp or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return None
    if not secret.startswith("whsec_"):
        return None
    key = base64.b64decode(secret[len("whsec_"):])
    expected = "v1," + base64.b64encode(hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    if not any(hmac.compare_digest(expected.encode(), given.encode()) for given in signatures):
        return None
    return json.loads(body)
