"""What the fakes of JSON-answering HTTPS APIs share: a handler that answers JSON, the record of each request
written whole (temp then rename, so a test never reads half a record), and serving TLS on a free loopback port
with "READY <port>" once it listens."""
import itertools
import json
import os
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *arguments):
        pass


class Records:
    """<dir>/1.json, 2.json ... in the order the requests came."""
    def __init__(self, directory):
        self.directory, self.numbers = directory, itertools.count(1)

    def write(self, record):
        name = f"{next(self.numbers)}.json"
        temp = os.path.join(self.directory, "." + name)
        with open(temp, "wb") as f:
            f.write(json.dumps(record).encode())
        os.rename(temp, os.path.join(self.directory, name))


def serve(handler, cert, key):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()
