"""Markdown as the views draw it: one shared markdown-it parser (rich builds
one per ``Markdown``), links rewritten to show their real target, streamed
blocks trimmed of rich's blank lines, and a limit past which an answer is
printed as plain text."""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

from rich.console import Console, RenderableType

from nemochat.core.sanitize import clean
from nemochat.ui.honest_links import honest_links

__all__ = ["MARKDOWN_LIMIT", "markdown", "markdown_block", "preload_markdown", "preload_markdown_soon", "thought_renderable"]


def markdown(text: str) -> RenderableType:
    """``rich.markdown.Markdown(text)``, imported on first use (markdown-it and
    its plugins are a fifth of the start-up otherwise; see ``preload_markdown``).

    rich builds a new markdown-it parser for every ``Markdown`` (~0.5 ms: its
    renderer inspects itself); a streamed answer makes one per finished block
    and per redraw of the live tail, so one parser, configured as rich does,
    serves them all: a copy of an empty ``Markdown`` gets the text parsed."""
    template, parser = _markdown_parts()
    rendered = copy.copy(template)
    rendered.markup = text
    rendered.parsed = honest_links(parser.parse(text))
    return rendered


class _Trimmed:
    """A renderable without the blank lines rich puts above and below some
    blocks (a list, a table, a quote, a code block's padding), so streamed
    blocks are separated by exactly one blank line, the view's own."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.segment import Segment

        lines = console.render_lines(self.renderable, options)
        blank = [not "".join(segment.text for segment in line).strip() for line in lines]
        start = next((n for n, empty in enumerate(blank) if not empty), len(lines))
        end = len(lines) - next((n for n, empty in enumerate(reversed(blank)) if not empty), len(lines))
        for line in lines[start:end]:
            yield from line
            yield Segment.line()


def markdown_block(text: str) -> RenderableType:
    """One streamed Markdown block, without blank lines around it."""
    return _Trimmed(markdown(text))


@functools.cache
def _markdown_parts() -> tuple[Any, Any]:
    from markdown_it import MarkdownIt
    from rich.markdown import Markdown

    return Markdown(""), MarkdownIt().enable("strikethrough").enable("table")  # (rich's own parser settings)


def preload_markdown() -> None:
    """Import the Markdown machinery and render once (parser, styles, and
    pygments for code blocks: ~0.1 s), so the first answer shows without the
    wait. Safe in a worker thread."""
    import io

    Console(file=io.StringIO(), width=80, force_terminal=True).print(markdown("**ready**\n\n- one\n- two\n\n```python\nx = 'code'\n```"))


def preload_markdown_soon() -> None:
    """``preload_markdown`` in a daemon thread: the first answer of ``ask``
    arrives after the token, the session and the state read, time enough."""
    threading.Thread(target=preload_markdown, name="nemochat-preload", daemon=True).start()


# Rendering Markdown costs rich ~5 µs a character (a 16 MB answer: minutes);
# past this many characters, the rest of a message is printed as plain text.
MARKDOWN_LIMIT = 256 * 1024


def thought_renderable(text: str) -> RenderableType:
    """A thought as people read it: its Markdown, dimmed, so it does not read as the answer."""
    from rich.styled import Styled

    return Styled(markdown(clean(text).strip()), "dim italic")
