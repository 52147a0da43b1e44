#!/usr/bin/env python3
"""A local stand-in for the SMS gateways otp-cgi has presets for, and for a site's signed webhook.

Each is checked the way its provider documents the send request, and what the provider would reject is rejected
with its documented answer:
  vonage   POST /sms/json, a form with api_key, api_secret, from, to (digits, no +), text, type (text|unicode);
           200 with messages[0].status "0", or "4" for bad credentials (developer.vonage.com, SMS API).
  plivo    POST /v1/Account/{auth_id}/Message/, Basic auth_id:auth_token, JSON src, dst, text; 202 or 401.
  sinch    POST /xms/v1/{service_plan_id}/batches, Bearer token, JSON from, to [E.164], body; 201 or 401.
  infobip  POST /sms/2/text/advanced, "Authorization: App <key>", JSON messages[0].destinations[0].to, from,
           text; 200 with messages[0].status.groupName PENDING, or 401.
  telnyx   POST /v2/messages, Bearer key, JSON from, to (E.164), text; 200 with data, 401, or 400 with error
           40310 for an invalid 'to'.
  kannel   GET /cgi-bin/sendsms?username&password&to&text&charset&coding; 202 "0: Accepted for delivery", or
           403 "Authorization failed for sendsms".
  jasmin   POST /send, a form with username, password, to, content; 200 'Success "<id>"', 403 or 400.
  webhook  POST /hook, Standard Webhooks headers; the signature is checked with --password as the whsec_ secret.
Which one is served is --preset; --user and --password are its credentials (Vonage's key and secret, Plivo's
Auth ID and token, Sinch's service plan and token, Infobip's and Telnyx's key as --password, Kannel's and
Jasmin's user and password). --answer picks the outcome of a well-formed, authorized request: "ok", "503",
"hang" (no answer), "error-body" (the provider's 200 that reports a failure inside, where it has one) or
"refuse" (the provider's answer for a number that cannot be reached, where it documents one). Every request is
recorded as <dir>/<n>.json with the problems found and, when there is one, the message text. Prints "READY <port>".
"""
import argparse
import base64
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import fake_http

GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
          "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà\f^{}\\[~]|€")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--preset", required=True)
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--answer", default="ok")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    numbers = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.handle_request(b"")

        def do_POST(self):
            self.handle_request(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

        def handle_request(self, body):
            url = urlsplit(self.path)
            self.record = {"preset": args.preset, "method": self.command, "path": url.path,
                           "content_type": self.headers.get("Content-Type"), "problems": [], "authorized": False}
            try:
                status, content_type, answer = getattr(self, args.preset)(url, body)
            except Problem as problem:
                self.record["problems"].append(str(problem))
                status, content_type, answer = 400, "text/plain", b"fake: " + str(problem).encode()
            write(f"{next(numbers)}.json", json.dumps(self.record).encode())
            if status == "hang":
                time.sleep(300)
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        # What every preset checks alike.
        def expect(self, method, path, url, content_type=None):
            if self.command != method:
                raise Problem(f"method {self.command}, not {method}")
            if url.path != path:
                raise Problem(f"path {url.path}, not {path}")
            if content_type and (self.headers.get("Content-Type") or "").split(";")[0].strip() != content_type:
                raise Problem(f"content type {self.headers.get('Content-Type')}, not {content_type}")

        def form(self, text):
            return {k: v[0] for k, v in parse_qs(text.decode(), keep_blank_values=True, strict_parsing=bool(text)).items()}

        def json_body(self, body):
            try:
                return json.loads(body)
            except ValueError as error:
                raise Problem(f"body is not JSON: {error}")

        def message(self, to, text, to_pattern):
            if not isinstance(to, str) or not to_pattern.match(to):
                raise Problem(f"recipient {to!r} is not in the documented format")
            if not isinstance(text, str) or not text:
                raise Problem("no text")
            self.record["to"], self.record["text"] = to, text

        def outcome(self, ok, error_body=None, refuse=None):
            if args.answer == "ok":
                return ok
            if args.answer == "hang":
                return "hang", "", b""
            if args.answer == "503":
                return 503, "text/html", b"<html><body>Service Unavailable</body></html>"
            chosen = {"error-body": error_body, "refuse": refuse}.get(args.answer)
            if chosen is None:
                raise SystemExit(f"{args.preset} has no answer {args.answer}")
            return chosen

        def basic(self, user, password):
            return self.headers.get("Authorization") == "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

        def vonage(self, url, body):
            self.expect("POST", "/sms/json", url, "application/x-www-form-urlencoded")
            fields = self.form(body)
            for name in ("api_key", "api_secret", "from", "to", "text"):
                if not fields.get(name):
                    return 200, "application/json", json.dumps({"message-count": "1", "messages": [
                        {"status": "2", "error-text": f"Missing {name}"}]}).encode()
            self.message(fields["to"], fields["text"], DIGITS)
            if fields.get("type") not in ("text", "unicode"):
                raise Problem(f"type {fields.get('type')!r}")
            if fields["type"] == "text" and not all(c in GSM for c in fields["text"]):
                raise Problem("a text beyond GSM-7 sent as type=text would arrive garbled")
            self.record["authorized"] = fields["api_key"] == args.user and fields["api_secret"] == args.password
            if not self.record["authorized"]:
                return 200, "application/json", json.dumps({"message-count": "1", "messages": [
                    {"status": "4", "error-text": "Bad Credentials"}]}).encode()

            def answer(status, extra):
                message = {"to": fields["to"], "status": status}
                message.update(extra)
                return 200, "application/json", json.dumps({"message-count": "1", "messages": [message]}).encode()
            return self.outcome(answer("0", {"message-id": uuid.uuid4().hex[:16], "remaining-balance": "15.53590000",
                                             "message-price": "0.03330000", "network": "23410"}),
                                error_body=answer("1", {"error-text": "Throughput Rate Exceeded - please wait [ 30 ] and retry"}),
                                refuse=answer("7", {"error-text": "Number barred."}))

        def plivo(self, url, body):
            self.expect("POST", f"/v1/Account/{args.user}/Message/", url, "application/json")
            self.record["authorized"] = self.basic(args.user, args.password)
            if not self.record["authorized"]:
                return 401, "application/json", json.dumps({"api_id": str(uuid.uuid4()), "error": "not authorized"}).encode()
            document = self.json_body(body)
            if not document.get("src"):
                raise Problem("no src")
            self.message(document.get("dst"), document.get("text"), re.compile(r"^\+?[1-9][0-9]{6,14}$"))
            return self.outcome((202, "application/json", json.dumps({
                "api_id": str(uuid.uuid4()), "message": "message(s) queued", "message_uuid": [str(uuid.uuid4())]}).encode()))

        def sinch(self, url, body):
            self.expect("POST", f"/xms/v1/{args.user}/batches", url, "application/json")
            self.record["authorized"] = self.headers.get("Authorization") == f"Bearer {args.password}"
            if not self.record["authorized"]:
                return 401, "application/json", json.dumps({"code": "unauthorized", "text": "Unauthorized"}).encode()
            document = self.json_body(body)
            to = document.get("to")
            if not isinstance(to, list) or len(to) != 1:
                raise Problem("to must be an array of recipients")
            self.message(to[0], document.get("body"), E164)
            return self.outcome((201, "application/json", json.dumps({
                "id": "01FC66621XXXXX119Z8PMV1QPQ", "to": to, "from": document.get("from"), "canceled": False,
                "body": document["body"], "type": "mt_text"}).encode()))

        def infobip(self, url, body):
            self.expect("POST", "/sms/2/text/advanced", url, "application/json")
            self.record["authorized"] = self.headers.get("Authorization") == f"App {args.password}"
            if not self.record["authorized"]:
                return 401, "application/json", json.dumps({"requestError": {"serviceException": {
                    "messageId": "UNAUTHORIZED", "text": "Invalid login details"}}}).encode()
            document = self.json_body(body)
            try:
                message = document["messages"][0]
                to = message["destinations"][0]["to"]
            except (KeyError, IndexError, TypeError):
                raise Problem("messages[0].destinations[0].to is missing")
            self.message(to, message.get("text"), DIGITS)

            def answer(group_id, group, status_id, name, description):
                return 200, "application/json", json.dumps({"bulkId": str(uuid.uuid4()), "messages": [{
                    "to": to, "messageId": str(uuid.uuid4()), "status": {"groupId": group_id, "groupName": group, "id": status_id,
                                                                         "name": name, "description": description}}]}).encode()
            return self.outcome(answer(1, "PENDING", 26, "PENDING_ACCEPTED", "Message sent to next instance"),
                                error_body=answer(5, "REJECTED", 12, "REJECTED_NOT_ENOUGH_CREDITS", "Not enough credits"))

        def telnyx(self, url, body):
            self.expect("POST", "/v2/messages", url, "application/json")
            self.record["authorized"] = self.headers.get("Authorization") == f"Bearer {args.password}"
            if not self.record["authorized"]:
                return 401, "application/json", json.dumps({"errors": [{"code": "10009", "title": "Authentication failed"}]}).encode()
            document = self.json_body(body)
            if not document.get("from"):
                raise Problem("no from")
            self.message(document.get("to"), document.get("text"), E164)
            return self.outcome((200, "application/json", json.dumps({"data": {
                "record_type": "message", "id": str(uuid.uuid4()), "direction": "outbound", "type": "SMS", "text": document["text"],
                "to": [{"phone_number": document["to"], "status": "queued"}]}}).encode()),
                refuse=(400, "application/json", json.dumps({"errors": [{
                    "code": "40310", "title": "Invalid 'to' address", "detail": "The 'to' address should be in E.164 format."}]}).encode()))

        def kannel(self, url, body):
            self.expect("GET", "/cgi-bin/sendsms", url)
            fields = self.form(url.query.encode())
            self.record["authorized"] = fields.get("username") == args.user and fields.get("password") == args.password
            if not self.record["authorized"]:
                return 403, "text/plain", b"Authorization failed for sendsms"
            if fields.get("charset") != "UTF-8":
                raise Problem("charset must say UTF-8, or Kannel reads the text as ISO-8859-1")
            self.message(fields.get("to"), fields.get("text"), E164)
            gsm = all(c in GSM for c in fields["text"])
            if fields.get("coding") != ("0" if gsm else "2"):
                raise Problem(f"coding {fields.get('coding')!r} for a {'GSM-7' if gsm else 'non-GSM'} text")
            return self.outcome((202, "text/plain", b"0: Accepted for delivery"))

        def jasmin(self, url, body):
            self.expect("POST", "/send", url, "application/x-www-form-urlencoded")
            fields = self.form(body)
            for name in ("username", "password", "to", "content"):
                if name not in fields:
                    return 400, "text/plain", f'Error "Mandatory argument [{name}] is not found."'.encode()
            self.record["authorized"] = fields["username"] == args.user and fields["password"] == args.password
            if not self.record["authorized"]:
                return 403, "text/plain", f'Error "Authentication failure for username:{fields["username"]}"'.encode()
            self.message(fields["to"], fields["content"], E164)
            return self.outcome((200, "text/plain", f'Success "{uuid.uuid4()}"'.encode()))

        def webhook(self, url, body):
            self.expect("POST", "/hook", url, "application/json")
            webhook_id, timestamp = self.headers.get("webhook-id"), self.headers.get("webhook-timestamp")
            signatures = (self.headers.get("webhook-signature") or "").split(" ")
            if not webhook_id or not timestamp or not timestamp.isdigit():
                raise Problem("webhook-id and webhook-timestamp are required")
            if abs(time.time() - int(timestamp)) > 300:
                raise Problem("webhook-timestamp is more than 5 minutes off")
            key = base64.b64decode(args.password.removeprefix("whsec_"))
            expected = "v1," + base64.b64encode(hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
            self.record["authorized"] = any(hmac.compare_digest(expected, s) for s in signatures)
            self.record["headers"] = {"webhook-id": webhook_id, "webhook-timestamp": timestamp,
                                      "webhook-signature": self.headers.get("webhook-signature")}
            self.record["body"] = body.decode()
            if not self.record["authorized"]:
                return 401, "text/plain", b"bad signature"
            event = self.json_body(body)
            self.message(event.get("number"), event.get("message"), E164)
            self.record["event"] = event
            return self.outcome((204, "text/plain", b""))

        def log_message(self, format, *arguments):
            pass

    def write(name, data):
        fake_http.write(args.dir, name, data)

    fake_http.serve(Handler, args.cert, args.key)


class Problem(Exception):
    pass


if __name__ == "__main__":
    main()
