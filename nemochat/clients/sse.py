"""httpx-sse's framing, fed a network chunk at a time.

``EventSource.aiter_sse()`` frames correctly but takes an ``await`` per line;
a busy agent stream brings hundreds of events per read, and that per-line
step then costs more than the reading. So we drive httpx-sse's own line and
event decoders (the same code ``aiter_sse`` runs) synchronously over each
chunk. They live in ``httpx_sse._decoders``, hence the upper bound on
httpx-sse in pyproject.toml; tests/core/test_sse.py checks that the result
equals ``aiter_sse()`` over the same bytes, cut anywhere.
"""

from __future__ import annotations

from httpx_sse._decoders import SSEDecoder, SSELineDecoder


class SSEBatcher:
    def __init__(self) -> None:
        self._lines = SSELineDecoder()
        self._events = SSEDecoder()

    def feed(self, text: str) -> list[str]:
        """Add a chunk of the stream; return the ``data`` of the events it completed."""
        return self._decode(self._lines.decode(text))

    def flush(self) -> list[str]:
        """The stream ended: what a held-back line end still completes."""
        return self._decode(self._lines.flush())

    def _decode(self, lines: list[str]) -> list[str]:
        out = []
        decode = self._events.decode
        for line in lines:
            event = decode(line)
            if event is not None:
                out.append(event.data)
        return out
