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
    """Feed it pieces; it returns each block once finished. Linear in the text:
    the pieces are kept in a list (joined when ``text`` is asked for), and
    each line is read once, when its newline arrives."""

    def __init__(self) -> None:
        self._pieces: list[str] = []  # everything fed, joined lazily
        self._length = 0
        self._block: list[str] = []  # complete lines of the unfinished block (each ends with "\n")
        self._line: list[str] = []  # the pieces of the line not complete yet
        self._fence: str | None = None  # the open fence among the block's lines, if any

    @property
    def text(self) -> str:
        pieces = self._pieces
        if len(pieces) > 1:
            pieces[:] = ["".join(pieces)]
        return pieces[0] if pieces else ""

    @property
    def length(self) -> int:
        return self._length

    @property
    def tail(self) -> str:
        """What has arrived but is not a finished block yet."""
        return "".join(self._block) + "".join(self._line)

    def feed(self, piece: str) -> list[str]:
        """Add streamed text; return the blocks it finished."""
        if not piece:
            return []
        self._pieces.append(piece)
        self._length += len(piece)
        if "\n" not in piece:
            self._line.append(piece)
            return []
        blocks: list[str] = []
        lines = piece.split("\n")
        self._line.append(lines[0])
        for rest in lines[1:]:
            line = "".join(self._line)
            self._line = [rest] if rest else []
            self._read_line(line, blocks)
        return blocks

    def finish(self) -> str:
        """The rest, as the last block ('' if nothing is left)."""
        rest = self.tail.strip("\n")
        self._block, self._line, self._fence = [], [], None
        return rest if rest.strip() else ""

    def _read_line(self, line: str, blocks: list[str]) -> None:
        """One complete line: a blank line outside a fence ends the block
        (unless the block has nothing before it); a fence never is cut."""
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if self._fence is None:
                self._fence = marker[0] * 3
            elif marker.startswith(self._fence):
                self._fence = None
        elif self._fence is None and not line.strip() and self._block:
            block = ("".join(self._block) + line + "\n").strip("\n")
            self._block, self._fence = [], None
            if block.strip():
                blocks.append(block)
            return
        self._block.append(line + "\n")
