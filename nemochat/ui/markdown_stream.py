"""Split streamed Markdown into finished blocks (sans-I/O).

Rich's ``Live`` duplicates output once it is taller than the screen, so views
print each finished block once, append-only, and keep only the unfinished
tail live. A block ends at a blank line outside a fenced code block: a fence
is never cut in two.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


class BlockSplitter:
    def __init__(self) -> None:
        self._text = ""
        self._emitted = 0  # characters of _text already returned as blocks
        self._scanned = 0  # where the next unread line starts (complete lines before it are read)
        self._fence: str | None = None  # the open fence among the lines read, if any

    @property
    def text(self) -> str:
        return self._text

    @property
    def tail(self) -> str:
        """What has arrived but is not a finished block yet."""
        return self._text[self._emitted :]

    def feed(self, piece: str) -> list[str]:
        """Add streamed text; return the blocks it finished. Each line is read
        once: a long block arriving in thousands of pieces costs no more."""
        self._text += piece
        blocks: list[str] = []
        while True:
            end = self._block_end()
            if end is None:
                return blocks
            block = self._text[self._emitted : end].strip("\n")
            self._emitted = self._scanned = end
            self._fence = None
            if block.strip():
                blocks.append(block)

    def finish(self) -> str:
        """The rest, as the last block ('' if nothing is left)."""
        rest = self.tail.strip("\n")
        self._emitted = self._scanned = len(self._text)
        self._fence = None
        return rest if rest.strip() else ""

    def _block_end(self) -> int | None:
        """Index just past the first blank line after the block's start outside
        a fence, reading on from where the last call stopped."""
        text, pos = self._text, self._scanned
        while True:
            newline = text.find("\n", pos)
            if newline < 0:
                self._scanned = pos
                return None
            line = text[pos:newline]
            match = _FENCE.match(line)
            if match:
                marker = match.group(1)
                if self._fence is None:
                    self._fence = marker[0] * 3
                elif marker.startswith(self._fence):
                    self._fence = None
            elif self._fence is None and not line.strip() and pos > self._emitted:
                return newline + 1
            pos = newline + 1
