"""What the fakes of JSON-answering HTTPS APIs add to fake_http: a handler that answers JSON, and the numbered
record of each request (<dir>/1.json, 2.json ... in the order they came), each written whole."""
import itertools
import json
from http.server import BaseHTTPRequestHandler

import fake_http


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
    def __init__(self, directory):
        self.directory, self.numbers = directory, itertools.count(1)

    def write(self, record):
        fake_http.write(self.directory, f"{next(self.numbers)}.json", json.dumps(record).encode())
