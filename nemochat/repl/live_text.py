"""The live answer's text, fitted to the screen without rich: the block still
arriving is shown as its Markdown source (paragraphs wrapped, indents kept,
code cut at the width), cheap enough to redraw many times a second; rich
renders the block once, when it completes (live_view.py)."""

from __future__ import annotations

import re

from rich.cells import cell_len

__all__ = ["last_lines", "plain_paragraph", "source_lines", "trim_blank_lines", "visible", "wrap_words"]


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def visible(line: str) -> str:
    return _ANSI.sub("", line)


def trim_blank_lines(text: str) -> str:
    """Rendered text without its blank first and last lines (styles and all)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    start, end = 0, len(lines)
    while start < end and not visible(lines[start]).strip():
        start += 1
    while end > start and not visible(lines[end - 1]).strip():
        end -= 1
    return "".join(line + "\n" for line in lines[start:end])


# Characters that may make a paragraph more than its words (inline styles,
# links, escapes, HTML), and the starts of a line that make it another block.
_MARKUP = re.compile(r"[*_`\[\]<>\\&!|~]")
_NOT_PARAGRAPH = re.compile(r"^(?: {4}|\t| {0,3}(?:[-+#>=]|\d+[.)]))", re.MULTILINE)


def plain_paragraph(source: str) -> bool:
    """The unfinished block is a paragraph of plain words: rich's Markdown
    would only wrap it (the live tail is redrawn up to 20 times a second)."""
    return not _MARKUP.search(source) and not _NOT_PARAGRAPH.search(source) and "\n\n" not in source


def wrap_words(text: str, width: int) -> list[str]:
    """Words joined into lines of at most ``width`` cells (a longer word is cut),
    as a Markdown paragraph is shown: line breaks in the source are spaces."""
    width = max(20, width)
    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        size = cell_len(word)
        while size > width:  # a word wider than the screen
            if line:
                lines.append(line)
                line, used = "", 0
            cut = len(word)
            while cut > 1 and cell_len(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            size = cell_len(word)
        if line and used + 1 + size > width:
            lines.append(line)
            line, used = "", 0
        line, used = (f"{line} {word}", used + 1 + size) if line else (word, size)
    if line:
        lines.append(line)
    return lines


def source_lines(text: str, width: int) -> list[str]:
    """Markdown source as lines of at most ``width`` cells, blank lines around
    it left out: each line keeps its indent (a list item's, code's), its words
    wrapped under it; a line of code is cut, not wrapped at its spaces."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.expandtabs(4).split("\n"):
        marker = _FENCE.match(line)
        if marker and (fence is None or (marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence))):
            fence = marker.group(1) if fence is None else None  # (it opens, or closes the open one)
            lines.extend(_cut(line, width))
        elif fence is not None:
            lines.extend(_cut(line, width))
        elif body := line.lstrip(" "):
            indent = " " * min(len(line) - len(body), width // 2)
            lines.extend(indent + part for part in wrap_words(body, width - len(indent)))
        else:
            lines.append("")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _cut(line: str, width: int) -> list[str]:
    """A line cut into pieces of at most ``width`` cells (code: its spaces are its own)."""
    width = max(1, width)
    if cell_len(line) <= width:
        return [line]  # (an empty line too: a blank line of code stays)
    pieces: list[str] = []
    while line:
        cut = min(len(line), width)
        while cut > 1 and cell_len(line[:cut]) > width:
            cut -= 1
        pieces.append(line[:cut])
        line = line[cut:]
    return pieces


def last_lines(text: str, keep: int) -> str:
    """The end of a long unfinished block; an open code fence stays open."""
    lines = text.split("\n")
    if len(lines) <= keep:
        return text
    head = lines[0] if lines[0].lstrip().startswith(("```", "~~~")) else None
    return "\n".join(([head] if head else []) + lines[-keep:])
