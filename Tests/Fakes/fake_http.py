"""What the HTTP fakes share: recording a request atomically, and serving on a loopback port (TLS when given a
certificate), announced as "READY <port>" on stdout."""
import os
import ssl
from http.server import ThreadingHTTPServer


def write(directory, name, data):
    """Writes <directory>/<name> whole: a reader sees it complete or not at all."""
    temp = os.path.join(directory, "." + name)
    with open(temp, "wb") as f:
        f.write(data)
    os.rename(temp, os.path.join(directory, name))


def serve(handler, cert=None, key=None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()
