"""A small HTTP/1.1 server on 127.0.0.1 that lies on purpose.

Raw asyncio, so a test controls every byte: wrong content types, gzip bombs
sent after nemochat asked for identity, bodies trickled a byte at a time,
Retry-After from 2099. It answers the bootstrap a NemoVideo client needs
(token, session, claim link, an empty state) unless a test replaces a route;
``routes[(METHOD, path prefix)]`` is a function ``request -> Reply`` (the
longest matching prefix wins). Requests are logged in ``requests``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float | None = None  # seconds between single bytes of the body
    length: int | None = None  # the Content-Length announced (default: the body's)


def json_reply(value: object, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(value).encode(), {"Content-Type": "application/json", **headers})


def envelope(data: object, status: int = 200, **headers: str) -> Reply:
    return json_reply({"code": 0, "message": "ok", "data": data}, status, **headers)


def sse_reply(*payloads: str, raw: bytes = b"") -> Reply:
    body = b"".join(f"data: {p}\n\n".encode() for p in payloads) + raw
    return Reply(200, body, {"Content-Type": "text/event-stream"})


def gzip_bomb(size: int, *, prefix: bytes = b"") -> bytes:
    """``prefix`` then ``size`` spaces, gzipped (1 MB of spaces is ~1 KB)."""
    return gzip.compress(prefix + b" " * size, compresslevel=9)


EMPTY_STATE = {"state": {"draft": {"t": []}}}


def default_routes() -> dict[tuple[str, str], Callable[[Request], Reply]]:
    return {
        ("POST", "/api/auth/anonymous-token"): lambda r: envelope({"token": "nmv_hostiletoken", "user_id": "u1", "expires_at": None}),
        ("POST", "/api/tasks/me/with-session/"): lambda r: envelope({"session_id": "s-hostile-1", "task_id": "t1", "user_id": "u1"}),
        ("POST", "/api/auth/claim-token"): lambda r: envelope({"claim_token": "clm_ok"}),
        ("GET", "/api/state/"): lambda r: envelope(EMPTY_STATE),
        ("GET", "/api/credits/balance/simple"): lambda r: envelope({"available": 5, "frozen": 0, "total": 5}),
        ("POST", "/run_sse"): lambda r: sse_reply('{"content": {"parts": [{"text": "ok"}]}, "partial": false}'),
    }


class HostileServer:
    def __init__(self) -> None:
        self.routes = default_routes()
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="hostile-server")
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, method: str, prefix: str, reply: Reply | Callable[[Request], Reply]) -> None:
        self.routes[(method, prefix)] = reply if callable(reply) else (lambda r: reply)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def start(self) -> HostileServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def stop(self) -> None:
        async def shutdown() -> None:  # every connection's coroutine ended, none left pending
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                request = Request(method, path, headers, body)
                self.requests.append(request)
                await self._answer(writer, self._handler(method, path)(request))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    def _handler(self, method: str, path: str) -> Callable[[Request], Reply]:
        matches = [(prefix, handler) for (m, prefix), handler in self.routes.items() if m == method and path.startswith(prefix)]
        if not matches:
            return lambda r: json_reply({"code": 404, "message": "not found"}, 404)
        return max(matches, key=lambda match: len(match[0]))[1]

    async def _answer(self, writer: asyncio.StreamWriter, reply: Reply) -> None:
        reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 500: "Server Error"}
        length = len(reply.body) if reply.length is None else reply.length
        head = f"HTTP/1.1 {reply.status} {reasons.get(reply.status, 'X')}\r\nContent-Length: {length}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items()) + "\r\n"
        writer.write(head.encode("latin-1"))
        if reply.trickle is None:
            writer.write(reply.body)
            await writer.drain()
            return
        for index in range(len(reply.body)):
            writer.write(reply.body[index : index + 1])
            await writer.drain()
            await asyncio.sleep(reply.trickle)  # the server's own pace: what is under test
