#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) on loopback for the delivery tests: plain, STARTTLS or implicit TLS, with or
without AUTH, recording each message it accepts; or one that accepts connections and never answers; or one that holds each message until the test lets it go.

Prints "READY <port>" once it listens. Each message becomes <dir>/<n>.eml (the bytes as received) and then
<dir>/<n>.json (envelope, whether the session was encrypted and logged in), so a reader that sees the .json
finds the .eml complete.
"""
import argparse
import asyncio
import itertools
import json
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, directory, hold_until=None):
        self.directory = directory
        self.numbers = itertools.count(1)
        self.hold_until = hold_until

    async def handle_DATA(self, server, session, envelope):
        n = next(self.numbers)
        if self.hold_until:
            # A relay that takes its time, released by the test rather than by a clock: <n>.held says that a
            # message is waiting for the 250, which comes once the file hold_until exists.
            self.write(f"{n}.held", b"")
            while not os.path.exists(self.hold_until):
                await asyncio.sleep(0.02)
        self.write(f"{n}.eml", envelope.original_content)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
        }
        self.write(f"{n}.json", json.dumps(record).encode())
        return "250 OK message accepted"

    def write(self, name, data):
        temp = os.path.join(self.directory, "." + name)
        with open(temp, "wb") as f:
            f.write(data)
        os.rename(temp, os.path.join(self.directory, name))


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)
    return authenticate


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--mode", choices=["plain", "starttls", "implicit", "hang"], default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", help="require AUTH with this user and --password")
    parser.add_argument("--password")
    parser.add_argument("--hold-until", help="answer each DATA only once this file exists")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()

    if args.mode == "hang":
        server = await asyncio.start_server(lambda reader, writer: asyncio.sleep(3600), "127.0.0.1", 0)
    else:
        context = None
        if args.mode in ("starttls", "implicit"):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(args.cert, args.key)
        recorder = Recorder(args.dir, args.hold_until)
        options = dict(hostname="fake-smtp.test", auth_require_tls=args.mode == "starttls")
        if args.mode == "starttls":
            options.update(tls_context=context, require_starttls=True)
        if args.user:
            options.update(authenticator=authenticator_for(args.user, args.password), auth_required=True)
        server = await loop.create_server(lambda: SMTP(recorder, **options), "127.0.0.1", 0,
                                          ssl=context if args.mode == "implicit" else None)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
