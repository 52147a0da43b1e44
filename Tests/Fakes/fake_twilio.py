#!/usr/bin/env python3
"""A local stand-in for Twilio's Messages API (HTTPS on loopback) for the delivery tests.

It checks each request the way Twilio documents it: POST to /2010-04-01/Accounts/{AccountSid}/Messages.json,
HTTP Basic auth with the account SID and auth token, an application/x-www-form-urlencoded body with To, Body
and either From or MessagingServiceSid, and `whatsapp:` before both addresses when one has it. Every request is
recorded as <dir>/<n>.json (with any problems found). The answer is chosen by --answer: "ok" (201 and a
Twilio-like message), a Twilio error code (its JSON error with the HTTP status Twilio uses), or "hang" (no answer).
A wrong SID or token always gets Twilio's 401 with error 20003. Each record also holds the Body's SMS segments,
counted here as Twilio documents it (GSM-7 with its extension table, else UCS-2), independently of the service.
Prints "READY <port>" once it listens.
"""
import argparse
import base64
import itertools
import json
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import fake_http

ERRORS = {
    21211: (400, "The 'To' number is not a valid phone number."),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    63003: (400, "Channel could not find To address"),
    20003: (401, "Authenticate"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
}


# GSM 03.38 (3GPP TS 23.038): the basic table, and the extension table whose characters cost an escape too.
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = set("\f^{}\\[~]|€")


def segments(body):
    """Twilio's count: 160 septets (70 UTF-16 units) in one segment, else 153 (67) per part, an escape pair or a
    surrogate pair never split."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in body):
        costs, single, part = [2 if c in GSM_EXTENSION else 1 for c in body], 160, 153
    else:
        costs, single, part = [2 if ord(c) > 0xFFFF else 1 for c in body], 70, 67
    if sum(costs) <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--sid", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--answer", default="ok")
    args = parser.parse_args()
    numbers = itertools.count(1)
    expected_auth = "Basic " + base64.b64encode(f"{args.sid}:{args.token}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            authorized = self.headers.get("Authorization") == expected_auth
            problems = self.problems(fields)
            record = {"method": "POST", "path": self.path, "content_type": self.headers.get("Content-Type"),
                      "authorized": authorized, "fields": fields, "problems": problems,
                      "segments": segments(fields.get("Body", ""))}
            write(f"{next(numbers)}.json", json.dumps(record).encode())
            if not authorized:
                return self.error(20003)
            if problems:
                return self.answer(400, {"code": 0, "message": "fake twilio: " + "; ".join(problems), "status": 400})
            if args.answer == "hang":
                time.sleep(300)
                return
            if args.answer != "ok":
                return self.error(int(args.answer))
            self.answer(201, {
                "sid": "SM" + uuid.uuid4().hex, "account_sid": args.sid, "to": fields["To"], "from": fields.get("From"),
                "messaging_service_sid": fields.get("MessagingServiceSid"), "body": fields["Body"], "status": "queued",
                "num_segments": str(segments(fields["Body"])), "direction": "outbound-api", "api_version": "2010-04-01",
                "error_code": None, "error_message": None,
            })

        def do_GET(self):
            write(f"{next(numbers)}.json", json.dumps({"method": "GET", "path": self.path, "problems": ["not POST"]}).encode())
            self.answer(405, {"code": 20004, "message": "Method not allowed", "status": 405})

        def problems(self, fields):
            found = []
            if self.path != f"/2010-04-01/Accounts/{args.sid}/Messages.json":
                found.append(f"path {self.path}")
            if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                found.append(f"content type {self.headers.get('Content-Type')}")
            for name in ("To", "Body"):
                if not fields.get(name):
                    found.append(f"no {name}")
            if ("From" in fields) == ("MessagingServiceSid" in fields):
                found.append("need exactly one of From and MessagingServiceSid")
            senders = [fields[n] for n in ("To", "From") if n in fields]
            if any(s.startswith("whatsapp:") for s in senders) and not all(s.startswith("whatsapp:") for s in senders):
                found.append("whatsapp: must prefix both To and From")
            return found

        def error(self, code):
            status, message = ERRORS[code]
            self.answer(status, {"code": code, "message": message,
                                 "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})

        def answer(self, status, document):
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *arguments):
            pass

    def write(name, data):
        fake_http.write(args.dir, name, data)

    fake_http.serve(Handler, args.cert, args.key)


if __name__ == "__main__":
    main()
