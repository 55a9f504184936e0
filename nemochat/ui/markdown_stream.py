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

    @property
    def text(self) -> str:
        return self._text

    @property
    def tail(self) -> str:
        """What has arrived but is not a finished block yet."""
        return self._text[self._emitted :]

    def feed(self, piece: str) -> list[str]:
        """Add streamed text; return the blocks it finished."""
        self._text += piece
        blocks: list[str] = []
        while True:
            end = _block_end(self._text, self._emitted)
            if end is None:
                return blocks
            block = self._text[self._emitted : end].strip("\n")
            self._emitted = end
            if block.strip():
                blocks.append(block)

    def finish(self) -> str:
        """The rest, as the last block ('' if nothing is left)."""
        rest = self.tail.strip("\n")
        self._emitted = len(self._text)
        return rest if rest.strip() else ""


def _block_end(text: str, start: int) -> int | None:
    """Index just past the first blank line after ``start`` outside a fence."""
    fence: str | None = None
    pos = start
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            return None
        line = text[pos:newline]
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
        elif fence is None and not line.strip() and pos > start:
            return newline + 1
        pos = newline + 1
