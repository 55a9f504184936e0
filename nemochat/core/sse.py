"""Server-sent events framing, a chunk at a time (sans-I/O).

Text in, the ``data`` of each complete event out, exactly as httpx-sse's
``aiter_sse()`` frames them (it is the reference the tests compare against;
see ``tests/core/test_sse.py``), but a whole network chunk per call instead
of an async step per line: the agent stream is the hot path, with up to
hundreds of thousands of events per turn.

The rules (WHATWG "event stream interpretation", as httpx-sse applies them):

- lines end with CRLF, LF or a lone CR, and with nothing else (U+2028 and
  friends are data);
- ``:`` starts a comment; ``field: value`` loses one space after the colon;
  a line without a colon is a field with an empty value;
- ``data`` lines accumulate, joined by "\\n"; an empty line dispatches the
  event, unless nothing at all was set since the last one (``event``,
  ``data``, ``retry``, or a last event id: as in httpx-sse, the id is not
  reset by a dispatch, only by an empty ``id`` field);
- an event cut off by the end of the stream is never dispatched.
"""

from __future__ import annotations

__all__ = ["SSEDecoder"]


class SSEDecoder:
    def __init__(self) -> None:
        self._rest = ""  # an unfinished line (or lines) carried to the next chunk
        self._cr = False  # the last chunk ended in "\r": a "\n" opening the next one belongs to it
        self._data: list[str] = []
        self._event = False  # an ``event`` field was set
        self._retry = False  # a valid ``retry`` field was set
        self._id = False  # an ``id`` was ever set (never reset)

    def feed(self, text: str) -> list[str]:
        """Add a chunk of the stream; return the ``data`` of the events it completed."""
        if self._cr:
            self._cr = False
            if text.startswith("\n"):
                text = text[1:]
        if text.endswith("\r"):
            self._cr = True  # a lone CR ends its line; if "\n" follows, it is one line end
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = self._rest + text
        end = text.rfind("\n")
        if end < 0:
            self._rest = text
            return []
        self._rest = text[end + 1 :]
        return self._lines(text[:end].split("\n"))

    def _lines(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        data = self._data
        for line in lines:
            if not line:  # dispatch
                if data or self._event or self._retry or self._id:
                    out.append("\n".join(data))
                    data = self._data = []
                    self._event = self._retry = False
                continue
            if line[0] == ":":
                continue  # a comment (": ping")
            if line.startswith("data: "):  # the common case, first
                data.append(line[6:])
                continue
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                self._event = bool(value)
            elif name == "id":
                if "\0" not in value:
                    self._id = bool(value)
            elif name == "retry":
                try:
                    int(value)
                except ValueError:
                    continue
                self._retry = True
        return out
