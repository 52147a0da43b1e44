#!/usr/bin/env python3
"""Parses each email file given with Python's `email` package, as a mail client would, and prints one JSON list.

For each message: the decoded Subject, its raw header line(s), the top Content-Type, and every leaf part with its
content type, charset, Content-Transfer-Encoding and decoded text; plus every defect the parser reported and
every line over 998 octets or not ending in CRLF. Nothing here trusts the message: a strict policy, and each
part's payload is decoded with the charset it declares (a wrong declaration shows up as a decoding error).
"""
import email
import email.policy
import json
import sys


def leaf(part):
    payload = part.get_payload(decode=True)
    charset = part.get_content_charset()
    try:
        # Lines as a reader sees them: a 7bit part's body ends with its last line's CRLF, a base64 one need not.
        text = payload.decode(charset or "ascii", errors="strict").replace("\r\n", "\n").removesuffix("\n")
        problem = None
    except (UnicodeDecodeError, LookupError) as error:
        text, problem = None, f"{part.get_content_type()}: {error}"
    return {"content_type": part.get_content_type(), "charset": charset,
            "transfer_encoding": part.get("Content-Transfer-Encoding"), "text": text, "problem": problem,
            "defects": [type(d).__name__ for d in part.defects]}


def parse(path):
    raw = open(path, "rb").read()
    lines = raw.split(b"\r\n")
    bad_lines = [i for i, line in enumerate(lines[:-1]) if len(line) > 998 or b"\n" in line or b"\r" in line]
    if lines[-1] != b"":
        bad_lines.append(len(lines) - 1)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", errors="replace")
    subject_lines = []
    for line in head.split("\r\n"):
        if line.startswith("Subject:") or (subject_lines and line[:1] in (" ", "\t") and subject_lines[-1] is not None):
            subject_lines.append(line)
        elif subject_lines and subject_lines[-1] is not None:
            subject_lines.append(None)
    subject_lines = [line for line in subject_lines if line is not None]
    parts = [leaf(p) for p in message.walk() if not p.is_multipart()]
    defects = [type(d).__name__ for d in message.defects] + [d for p in parts for d in p["defects"]]
    return {"subject": str(message["Subject"]), "subject_lines": subject_lines, "to": str(message["To"]),
            "content_type": message.get_content_type(), "parts": parts, "defects": defects,
            "ascii_head": all(b < 0x80 for b in raw.split(b"\r\n\r\n", 1)[0]), "bad_lines": bad_lines}


print(json.dumps([parse(path) for path in sys.argv[1:]]))
