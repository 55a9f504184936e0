"""A hostile HTTP server on 127.0.0.1 for the tests that need a server the
simulator will not be: it answers whatever ``answer(request)`` returns, and
keeps every request it saw. A real server over loopback, in a thread."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable, Iterator

# How often a serving thread looks for shutdown(): socketserver's default,
# 0.5 s, is what each test would wait at its end.
SHUTDOWN_POLL_S = 0.02


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Rogue:
    url: str
    seen: list[Seen]


Answer = Callable[[Seen], "Reply | Callable[[BaseHTTPRequestHandler], None]"]


@contextmanager
def rogue_server(answer: Answer) -> Iterator[Rogue]:
    """``answer`` gets each request and returns a ``Reply``, or a function that
    writes the raw answer itself (to cut a connection, trickle bytes...)."""
    seen: list[Seen] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            seen.append(request)
            reply = answer(request)
            if callable(reply):
                reply(self)
                return
            data = reply.body.encode() if isinstance(reply.body, str) else reply.body
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", "Content-Length": str(len(data)), **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S}, daemon=True)
    thread.start()
    try:
        yield Rogue(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
