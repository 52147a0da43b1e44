#!/usr/bin/env python3
"""A local stand-in for Twilio's Messages API (HTTPS on loopback) for the delivery tests.

It checks each request the way Twilio documents it: POST to /2010-04-01/Accounts/{AccountSid}/Messages.json,
HTTP Basic auth with the account SID and auth token, an application/x-www-form-urlencoded body with To, Body
and either From or MessagingServiceSid, and `whatsapp:` before both addresses when one has it. A content template
(twilio.com/docs/content/send-templates-created-with-the-content-template-builder) is ContentSid (HX and 32 hex
digits) with ContentVariables (a JSON object of strings) and no Body, which Twilio says to leave out
(twilio.com/docs/api/errors/63016); ContentVariables without ContentSid is Twilio's error 21654. A
whatsapp/authentication template takes exactly one variable, the code (twilio.com/docs/content/whatsappauthentication),
of at most 15 characters, WhatsApp's limit for a one-time password. Every request is recorded as <dir>/<n>.json
(with any problems found). The answer is chosen by --answer: "ok" (201 and a
Twilio-like message), a Twilio error code (its JSON error with the HTTP status Twilio uses), or "hang" (no answer).
A wrong SID or token always gets Twilio's 401 with error 20003. With --content SID (repeatable), the approved
whatsapp/authentication templates, any other ContentSid gets error 63027. Each record also holds the Body's SMS segments,
counted here as Twilio documents it (GSM-7 with its extension table, else UCS-2), independently of the service.
Prints "READY <port>" once it listens.
"""
import argparse
import base64
import json
import re
import time
import uuid
from urllib.parse import parse_qs

import fake_http
from json_api import JSONHandler, Records

ERRORS = {
    21211: (400, "The 'To' number is not a valid phone number."),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    63003: (400, "Channel could not find To address"),
    63016: (400, "Failed to send freeform message because you are outside the allowed window. "
                 "If you are using WhatsApp, please use a Message Template."),
    63024: (400, "Invalid message recipient"),
    63027: (400, "Template does not exist for a language and locale"),
    21654: (400, "ContentSid Required"),
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


def content_problems(fields):
    """What Twilio would refuse in a content template send for a whatsapp/authentication template."""
    found = []
    if not re.fullmatch(r"HX[0-9a-fA-F]{32}", fields["ContentSid"]):
        found.append(f"ContentSid {fields['ContentSid']!r} is not HX and 32 hex digits")
    if "Body" in fields:
        found.append("Body sent with ContentSid")
    try:
        variables = json.loads(fields.get("ContentVariables", ""))
    except ValueError:
        return found + ["ContentVariables is not JSON"]
    if not isinstance(variables, dict) or list(variables) != ["1"] or not isinstance(variables["1"], str):
        found.append(f"ContentVariables {fields.get('ContentVariables')!r} is not one string variable \"1\"")
    elif not 1 <= len(variables["1"]) <= 15:
        found.append("the code is not 1 to 15 characters")
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--sid", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--answer", default="ok")
    parser.add_argument("--content", action="append", default=[])
    args = parser.parse_args()
    records = Records(args.dir)
    expected_auth = "Basic " + base64.b64encode(f"{args.sid}:{args.token}".encode()).decode()

    class Handler(JSONHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            authorized = self.headers.get("Authorization") == expected_auth
            problems = self.problems(fields)
            record = {"method": "POST", "path": self.path, "content_type": self.headers.get("Content-Type"),
                      "authorized": authorized, "fields": fields, "problems": problems,
                      "segments": segments(fields.get("Body", ""))}
            records.write(record)
            if not authorized:
                return self.error(20003)
            if "ContentVariables" in fields and "ContentSid" not in fields:
                return self.error(21654)
            if problems:
                return self.answer(400, {"code": 0, "message": "fake twilio: " + "; ".join(problems), "status": 400})
            if "ContentSid" in fields and fields["ContentSid"] not in args.content:
                return self.error(63027)
            if args.answer == "hang":
                time.sleep(300)
                return
            if args.answer != "ok":
                return self.error(int(args.answer))
            text = fields.get("Body") or json.loads(fields["ContentVariables"])["1"] + " is your verification code."
            self.answer(201, {
                "sid": "SM" + uuid.uuid4().hex, "account_sid": args.sid, "to": fields["To"], "from": fields.get("From"),
                "messaging_service_sid": fields.get("MessagingServiceSid"), "body": text, "status": "queued",
                "num_segments": str(segments(text)), "direction": "outbound-api", "api_version": "2010-04-01",
                "error_code": None, "error_message": None,
            })

        def do_GET(self):
            records.write({"method": "GET", "path": self.path, "problems": ["not POST"]})
            self.answer(405, {"code": 20004, "message": "Method not allowed", "status": 405})

        def problems(self, fields):
            found = []
            if self.path != f"/2010-04-01/Accounts/{args.sid}/Messages.json":
                found.append(f"path {self.path}")
            if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                found.append(f"content type {self.headers.get('Content-Type')}")
            if not fields.get("To"):
                found.append("no To")
            if "ContentSid" in fields:
                found += content_problems(fields)
            elif not fields.get("Body"):
                found.append("no Body")
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

    fake_http.serve(Handler, args.cert, args.key)


if __name__ == "__main__":
    main()
