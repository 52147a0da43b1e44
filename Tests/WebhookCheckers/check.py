#!/usr/bin/env python3
# Runs examples/otp_webhook.py, as the README shows it, on each request of stdin (one JSON object a line: body,
# headers): "ok NUMBER CODE" or "no" per line.
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from otp_webhook import otp_webhook_event  # noqa: E402

for line in sys.stdin:
    request = json.loads(line)
    event = otp_webhook_event(request["body"].encode(), request["headers"], os.environ["WEBHOOK_SECRET"])
    print("no" if event is None else f"ok {event['number']} {event['code']}")
