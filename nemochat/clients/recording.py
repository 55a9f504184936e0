"""Record mode (``--record DIR``): every ``/run_sse`` stream saved as a fixture.

A user who meets a surprising backend behaviour hands us two files:

- ``DIR/<timestamp>-<n>.sse``: the stream's bytes exactly as they arrived
  (written as they arrive, so a killed process keeps what it got), except
  that tokens, client ids and claim tokens are replaced by ``[redacted]``;
- ``DIR/<timestamp>-<n>.json``: the expected result as the client saw it,
  in the shape of ``fixtures/sse/*.json`` (description, texts, tools,
  silent, errors, thoughts, question, incomplete), plus a ``recording`` key
  with the request (Authorization, client id and claim tokens redacted),
  the response status and headers, and the timing of every chunk.

``nemochat replay FILE.sse`` (``nemochat.app.replay.replay_bytes``) then
shows the same turn offline, and the test suite can keep it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

import httpx

from nemochat import __version__
from nemochat.private_files import write_private
from nemochat.clients.http import redact
from nemochat.core import ui_events as ui
from nemochat.errors import NemochatError

REDACTED = "[redacted]"
_WORTH_SAVING = (ui.Message, ui.ToolActivity, ui.ErrorShown, ui.QuestionAsked, ui.Thought)
_SECRET_HEADER_WORDS = ("authorization", "client-id", "cookie", "token", "claim", "key", "secret")


class StreamRecorder:
    """Attached to ``NemoClient.run_sse`` (the bytes) and to the UI events (the result)."""

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = Path(folder)
        self.clock = clock
        self.current: Recording | None = None

    def attach(self, request: httpx.Request, body: dict[str, Any], response: httpx.Response, *, secrets: tuple[str | None, ...] = ()) -> None:
        """Tee ``response``'s raw stream into a new recording."""
        if self.current is not None:
            self.current.finish()  # a stream that never saw its turn end
        self.current = Recording(self._new_base(), request, body, response, secrets, self.clock)
        response.stream = _Tee(response.stream, self.current)

    def emit(self, event: ui.UIEvent) -> None:
        if self.current is None:
            return
        self.current.events.append(event)
        if isinstance(event, ui.TurnFinished):
            self.current.finish()
            self.current = None
        elif isinstance(event, _WORTH_SAVING):  # a killed process still leaves the result so far
            self.current.save()

    def error(self, error: NemochatError) -> None:
        if self.current is not None:
            self.current.failure = f"{error.code}: {error.message}"
            self.current.finish()
            self.current = None

    def _new_base(self) -> Path:
        # <timestamp>-<n>: n counts up until the name is free, so two processes
        # recording into one folder in the same second never share a file.
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        n = 1
        while True:
            base = self.folder / f"{stamp}-{n}"
            try:
                os.close(os.open(base.with_suffix(".sse"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                return base
            except FileExistsError:
                n += 1


class Recording:
    def __init__(self, base: Path, request: httpx.Request, body: dict[str, Any], response: httpx.Response,
                 secrets: tuple[str | None, ...], clock: Callable[[], float]) -> None:  # fmt: skip
        self.sse_path, self.json_path = base.with_suffix(".sse"), base.with_suffix(".json")
        self.secrets = tuple(s for s in secrets if s)
        self.clock = clock
        self.started = clock()
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.request = {
            "method": request.method,
            "url": str(request.url),
            "headers": {name: _header_value(name, value) for name, value in request.headers.items()},
            "body": body,
        }
        self.response = {"status": response.status_code, "headers": {n: _header_value(n, v) for n, v in response.headers.items()}}
        self.events: list[ui.UIEvent] = []
        self.chunks: list[tuple[float, int]] = []  # (seconds since the request, bytes)
        self.failure: str | None = None
        self._unzip = _decompressor(response.headers.get("content-encoding", ""))
        self._out = open(self.sse_path, "wb", buffering=0)  # unbuffered: a killed process keeps every line
        self._pending = b""  # the unfinished last line, held back until it can be redacted whole
        self._digest = hashlib.sha256()
        self._size = 0
        self._closed_stream = False
        self.finished = False
        self.save()

    def feed(self, chunk: bytes) -> None:
        self.chunks.append((round(self.clock() - self.started, 4), len(chunk)))
        data = self._pending + (self._unzip.decompress(chunk) if self._unzip else chunk)
        cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1  # a token never spans a line
        self._pending = data[cut:]
        self._write(data[:cut])

    def stream_closed(self) -> None:
        if not self._closed_stream:
            self._closed_stream = True
            self._write(self._pending + (self._unzip.flush() if self._unzip else b""))
            self._pending = b""
            self._out.close()
            self.save()

    def finish(self) -> None:
        self.stream_closed()
        self.finished = True
        self.save()

    def _write(self, data: bytes) -> None:
        if data:
            data = self._redact(data)
            self._digest.update(data)
            self._size += len(data)
            self._out.write(data)

    def _redact(self, data: bytes) -> bytes:
        # surrogateescape: bytes that are not UTF-8 (a cut character) pass through unchanged
        text = data.decode("utf-8", "surrogateescape")
        cleaned = redact(text, *self.secrets)
        return data if cleaned == text else cleaned.encode("utf-8", "surrogateescape")

    def save(self) -> None:
        """(Re)write the sidecar with what is known so far."""
        sidecar = {
            **expected_result(self.events, description=_description(self.request, self.started_at)),
            "recording": {
                "nemochat": __version__,
                "started_at": self.started_at,
                "request": self.request,
                "response": self.response,
                "timing": {
                    "first_byte_s": self.chunks[0][0] if self.chunks else None,
                    "duration_s": round(self.clock() - self.started, 4) if self._closed_stream else None,
                    "chunks": self.chunks,
                },
                "bytes": self._size,
                "sha256": self._digest.hexdigest() if self._closed_stream else None,
                "complete": self.finished and self.failure is None,
                "failure": self.failure,
            },
        }
        # atomic and 0600, like the stream: a reader never sees half a sidecar
        write_private(self.json_path, redact(json.dumps(sidecar, ensure_ascii=False, indent=2), *self.secrets) + "\n")


def expected_result(events: list[ui.UIEvent], *, description: str = "") -> dict[str, Any]:
    """What a turn showed, in the shape of ``fixtures/sse/*.json``: the same
    function reads a live turn's events and a replay's, so they compare.
    (A stream that broke has no ``TurnFinished``: ``recording.complete`` is
    then false, and a replay, which always ends the turn, may show more.)"""
    messages = [e for e in events if isinstance(e, ui.Message)]
    questions = [e.question.title for e in events if isinstance(e, ui.QuestionAsked)]
    finished_events = [e for e in events if isinstance(e, ui.TurnFinished)]
    return {
        "description": description,
        "texts": [m.raw for m in messages],
        "tools": [e.name for e in events if isinstance(e, ui.ToolActivity) and e.phase == "call"],
        "silent": finished_events[-1].silent if finished_events else (not messages and not questions),
        "errors": [e.message for e in events if isinstance(e, ui.ErrorShown)],
        "thoughts": [e.text for e in events if isinstance(e, ui.Thought)],
        "question": questions[-1] if questions else None,
        "incomplete": any(not m.complete for m in messages),
    }


class _Tee(httpx.AsyncByteStream):
    """The response's raw byte stream, copied into the recording on the way."""

    def __init__(self, inner: Any, recording: Recording) -> None:
        self.inner, self.recording = inner, recording

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.recording.feed(chunk)
            yield chunk

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            self.recording.stream_closed()


def _decompressor(encoding: str) -> Any:
    """The raw stream is what went over the wire; a replay needs the text. A
    gzip/deflate stream is saved decompressed (the sidecar keeps the header)."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def _header_value(name: str, value: str) -> str:
    lowered = name.lower()
    if any(word in lowered for word in _SECRET_HEADER_WORDS):
        return REDACTED
    return value


def _description(request: dict[str, Any], started_at: str) -> str:
    parts = (request.get("body") or {}).get("new_message", {}).get("parts") or [{}]
    text = " ".join(str(parts[0].get("text", "")).split())
    said = text if len(text) <= 80 else text[:79] + "…"
    return f"Recorded by nemochat {__version__} on {started_at} from {request['url']}: {said!r}"
