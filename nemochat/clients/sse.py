"""httpx-sse's framing, fed a network chunk at a time.

``EventSource.aiter_sse()`` frames correctly but takes an ``await`` per line;
a busy agent stream brings hundreds of events per read, and that per-line
step then costs more than the reading. So we drive httpx-sse's own line and
event decoders (the same code ``aiter_sse`` runs) synchronously over each
chunk, and for the two lines of nearly every event ("data: ..." and the
blank line that ends it) do what its event decoder does, on its own state. They live in ``httpx_sse._decoders``, hence the upper bound on
httpx-sse in pyproject.toml; tests/core/test_sse.py checks that the result
equals ``aiter_sse()`` over the same bytes, cut anywhere.
"""

from __future__ import annotations

from httpx_sse._decoders import SSEDecoder, SSELineDecoder


class SSEBatcher:
    def __init__(self) -> None:
        self._lines = SSELineDecoder()
        self._events = SSEDecoder()
        self._line_held = self._event_held = 0  # see pending()

    def feed(self, text: str) -> list[str]:
        """Add a chunk of the stream; return the ``data`` of the events it completed."""
        lines = self._lines.decode(text)
        if not lines:
            self._line_held += len(text)
            return []
        out = self._decode(lines)
        held = self._lines.buffer  # after a line end: at most the one piece that follows it
        self._line_held = len(held[0]) if held else 0
        if self._events._data:  # an event still open: its lines so far
            self._event_held += sum(map(len, lines))
        elif self._event_held:
            self._event_held = 0
        return out

    def pending(self) -> int:
        """About how many characters are held for a line or an event not
        finished yet (at least that many; a hostile stream with no line end
        would grow them without bound)."""
        return self._line_held + self._event_held  # counted as fed: no pass over what is held

    def flush(self) -> list[str]:
        """The stream ended: what a held-back line end still completes."""
        return self._decode(self._lines.flush())

    def _decode(self, lines: list[str]) -> list[str]:
        out = []
        events = self._events
        decode = events.decode
        for line in lines:
            # The two lines of nearly every event, done here exactly as
            # decode() does them (its state is read and reset the same way),
            # without a call and an event object each: streams bring ~100k.
            if not line:  # the end of an event
                if events._data or events._event or events._last_event_id or events._retry is not None:
                    data = events._data
                    out.append(data[0] if len(data) == 1 else "\n".join(data))
                    events._event, events._data, events._retry = "", [], None  # (the last event id stays)
                continue
            if line.startswith("data: "):  # field "data", one space dropped
                events._data.append(line[6:])
                continue
            event = decode(line)
            if event is not None:
                out.append(event.data)
        return out
