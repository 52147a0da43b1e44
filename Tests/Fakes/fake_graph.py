#!/usr/bin/env python3
"""A local stand-in for Meta's WhatsApp Cloud API (the Graph API, HTTPS on loopback) for the delivery tests.

It checks each request the way Meta documents it. Sending an authentication template
(developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates/auth-otp-template-messages):
POST /<version>/<PHONE_NUMBER_ID>/messages with `Authorization: Bearer <token>`, Content-Type application/json, and
a body of exactly: messaging_product "whatsapp", recipient_type "individual" (optional), to (the number's digits),
type "template", template {name, language {code}, components [body with one text parameter, button with
sub_type "url", index "0" and one text parameter]}, the one-time password in both and at most 15 characters.
Reading the phone number (GET /<version>/<PHONE_NUMBER_ID>) answers its display number and verified name.

Answers follow Meta's error object ({"error": {"message", "type", "code", "error_data", "fbtrace_id"}}): a wrong or
missing token is 401 with code 190; another phone number ID is 400 with code 100; a template other than --template,
or a language not in --languages, is code 132001 ("template name does not exist in the translation"); a body that
does not match the template's parameters is 132000. --answer picks the answer to a valid send: "ok" (200 and a
message ID) or an error code (131026, 131047, 130429, 131000, 190 ...); a number given with --undeliverable always
gets 131026, as a number without WhatsApp does. Every request is recorded as <dir>/<n>.json
with its method, path, whether it was authorized, its JSON body and the problems found. Prints "READY <port>".
"""
import argparse
import json
import re
import uuid

import fake_http
from json_api import JSONHandler, Records

# Meta's HTTP status for each code (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
ERRORS = {
    100: (400, "Invalid parameter"),
    190: (401, "Error validating access token: Session has expired"),
    131000: (500, "Something went wrong"),
    131026: (400, "Message Undeliverable"),
    131047: (400, "Re-engagement message"),
    130429: (429, "Rate limit hit"),
    132000: (400, "Number of parameters does not match the expected number of params"),
    132001: (404, "Template name does not exist in the translation"),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--phone-id", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--languages", required=True, help="comma-separated: the languages the template is approved in")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--answer", default="ok")
    parser.add_argument("--undeliverable", action="append", default=[], help="a number (digits) answered 131026, as one without WhatsApp")
    args = parser.parse_args()
    records = Records(args.dir)
    approved = args.languages.split(",")

    class Handler(JSONHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            problems, body = [], None
            match = re.fullmatch(r"/v(\d+\.\d+)/(\d+)/messages", self.path)
            if not match:
                problems.append(f"path {self.path}")
            if self.headers.get("Content-Type") != "application/json":
                problems.append(f"content type {self.headers.get('Content-Type')}")
            try:
                body = json.loads(raw)
            except ValueError:
                problems.append("body is not JSON")
            if body is not None:
                problems += message_problems(body)
            record = {"method": "POST", "path": self.path, "authorized": self.authorized(), "content_type": self.headers.get("Content-Type"),
                      "json": body, "problems": problems}
            records.write(record)
            if not record["authorized"]:
                return self.error(190)
            if match and match.group(2) != args.phone_id:
                return self.error(100)
            if problems:
                return self.answer(400, {"error": {"message": "fake graph: " + "; ".join(problems), "type": "OAuthException",
                                                   "code": 100, "fbtrace_id": "Afake"}})
            template = body["template"]
            if template["name"] != args.template or template["language"]["code"] not in approved:
                return self.error(132001)
            if body["to"].lstrip("+") in args.undeliverable:
                return self.error(131026)
            if args.answer != "ok":
                return self.error(int(args.answer))
            self.answer(200, {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"].lstrip("+")}],
                              "messages": [{"id": "wamid." + uuid.uuid4().hex}]})

        def do_GET(self):
            match = re.fullmatch(r"/v(\d+\.\d+)/(\d+)(\?fields=[a-z_,]+)?", self.path)
            record = {"method": "GET", "path": self.path, "authorized": self.authorized(),
                      "problems": [] if match else [f"path {self.path}"]}
            records.write(record)
            if not record["authorized"]:
                return self.error(190)
            if not match or match.group(2) != args.phone_id:
                return self.error(100)
            self.answer(200, {"verified_name": "Example Shop", "display_phone_number": "+1 555-010-0199", "id": args.phone_id,
                              "quality_rating": "GREEN"})

        def authorized(self):
            return self.headers.get("Authorization") == f"Bearer {args.token}"

        def error(self, code):
            status, message = ERRORS[code]
            self.answer(status, {"error": {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code,
                                           "error_data": {"messaging_product": "whatsapp", "details": message},
                                           "fbtrace_id": "Afake" + uuid.uuid4().hex[:8]}})

    fake_http.serve(Handler, args.cert, args.key)


def message_problems(body):
    """What the Cloud API would refuse in an authentication template message, as its documentation gives it."""
    found = []
    allowed = {"messaging_product", "recipient_type", "to", "type", "template"}
    if not isinstance(body, dict):
        return ["body is not an object"]
    found += [f"unknown field {name}" for name in body if name not in allowed]
    if body.get("messaging_product") != "whatsapp":
        found.append("messaging_product is not whatsapp")
    if body.get("recipient_type", "individual") != "individual":
        found.append("recipient_type is not individual")
    if not isinstance(body.get("to"), str) or not re.fullmatch(r"\+?\d{6,15}", body["to"]):
        found.append("to is not a phone number")
    if body.get("type") != "template":
        found.append("type is not template")
    template = body.get("template")
    if not isinstance(template, dict) or set(template) != {"name", "language", "components"}:
        return found + ["template is not {name, language, components}"]
    if not isinstance(template["name"], str) or not re.fullmatch(r"[a-z0-9_]{1,512}", template["name"]):
        found.append("template name is not lowercase letters, digits and underscores")
    if not isinstance(template["language"], dict) or set(template["language"]) != {"code"} \
            or not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z]{2,4})?", str(template["language"]["code"])):
        found.append("template language is not {code}")
    components = template["components"]
    if not isinstance(components, list) or len(components) != 2:
        return found + ["components is not [body, button]"]
    body_part, button = components
    if body_part.get("type") != "body" or set(body_part) != {"type", "parameters"}:
        found.append("the first component is not the body")
    if button.get("type") != "button" or button.get("sub_type") != "url" or button.get("index") != "0" \
            or set(button) != {"type", "sub_type", "index", "parameters"}:
        found.append('the second component is not the copy-code button (type button, sub_type url, index "0")')
    codes = []
    for part in components:
        parameters = part.get("parameters")
        if not isinstance(parameters, list) or len(parameters) != 1 or parameters[0].get("type") != "text" \
                or set(parameters[0]) != {"type", "text"} or not isinstance(parameters[0].get("text"), str):
            found.append(f"the {part.get('type')} does not have one text parameter")
        else:
            codes.append(parameters[0]["text"])
    if len(codes) == 2 and codes[0] != codes[1]:
        found.append("the body and the button carry different codes")
    if any(not 1 <= len(code) <= 15 for code in codes):
        found.append("the one-time password is not 1 to 15 characters")
    return found


if __name__ == "__main__":
    main()
