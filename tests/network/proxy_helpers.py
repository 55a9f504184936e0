"""A forward proxy on 127.0.0.1 for the tests: plain-HTTP requests in
absolute form are forwarded (one per connection), ``CONNECT`` opens a tunnel
(for https). It records the request line of each; nothing else is checked.
No proxy library is needed for this much, and none of them is smaller."""

from __future__ import annotations

import socket
import socketserver
import threading
from urllib.parse import urlsplit

from rogue_server import SHUTDOWN_POLL_S


class ForwardProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[str] = []  # "GET http://127.0.0.1:PORT/path", "CONNECT 127.0.0.1:PORT"
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S}, daemon=True)

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(socketserver.StreamRequestHandler):
    server: ForwardProxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
        self.server.seen.append(f"{method} {target}")
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(self.request, upstream, rest)
            return
        url = urlsplit(target)
        upstream = socket.create_connection((url.hostname, url.port or 80))
        headers = [line for line in lines[1:] if not line.lower().startswith(("connection:", "proxy-"))]
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        upstream.sendall("\r\n".join([f"{method} {path} {version}", *headers, "Connection: close", "", ""]).encode("latin-1"))
        _relay(self.request, upstream, rest)


def _relay(client: socket.socket, upstream: socket.socket, first: bytes) -> None:
    """Bytes both ways until either side closes."""
    if first:
        upstream.sendall(first)

    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    other = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    other.start()
    pump(client, upstream)
    other.join()
    upstream.close()
