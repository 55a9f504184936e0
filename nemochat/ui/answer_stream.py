"""The agent's answer as it streams, in a one-shot command (``nemochat ask``).

Finished Markdown blocks are printed once, append-only (``markdown_stream``);
what happens to the block still arriving depends on where stdout goes:

- a terminal: ``LiveTail`` shows it in place below the printed blocks (a
  transient rich ``Live``, cropped to a few lines so it never grows taller
  than the screen, which is what makes ``Live`` repeat lines), redrawn at
  most every ``TEXT_FRAME``; when the block completes it leaves the live
  area in the same write that prints it above, so each line reaches the
  scrollback once;
- a file or a pipe: ``PlainAnswer`` writes the Markdown source as it arrives
  (``nemochat ask … | tee answer.md``), flushed at each write, one line per
  paragraph as the agent wrote it (no hard wraps). Only a clause that may be
  GUI talk ("click the Export button", ``core.gui``) waits for its end, so it
  can be rewritten whole.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import IO, Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from nemochat.core.gui import may_begin_gui_talk, translate_gui
from nemochat.core.sanitize import clean

TEXT_FRAME = 0.05  # the live area is redrawn at most this often (the goal: each word on screen within 100 ms)
LIVE_LINES = 8  # the most lines of the unfinished block shown (its end); the whole block is printed when complete


class _Cropped:
    """The last ``max_lines`` lines of a renderable (after a blank line when
    ``gap``: the one that will separate it from the block above once printed)."""

    def __init__(self, renderable: Any, max_lines: int, gap: bool) -> None:
        self.renderable, self.max_lines, self.gap = renderable, max_lines, gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
        while lines and not "".join(segment.text for segment in lines[-1]).strip():
            lines.pop()
        if len(lines) > self.max_lines:
            lines = [[Segment("…", Style(dim=True))]] + lines[-(self.max_lines - 1) :]
        if self.gap:
            lines = [[]] + lines
        for n, line in enumerate(lines):
            if n:
                yield Segment.line()
            yield from line


class LiveTail:
    """The unfinished block on a terminal, redrawn in place."""

    def __init__(self, console: Console, render: Any) -> None:
        self.console = console
        self.render = render  # raw Markdown -> a renderable (the view's, sanitized)
        self._text: str | Callable[[], str] = ""
        self.gap = False
        self._live: Any = None
        self._drawn = 0.0  # time.monotonic() of the last redraw
        self._timer: asyncio.TimerHandle | None = None

    @property
    def active(self) -> bool:
        return self._live is not None

    @property
    def text(self) -> str:
        """The unfinished block as it stands (joined now, if it was given lazily)."""
        if callable(self._text):
            self._text = self._text()
        return self._text

    @text.setter
    def text(self, value: str | Callable[[], str]) -> None:
        self._text = value

    def show(self, text: str | Callable[[], str], *, gap: bool) -> None:
        """The unfinished block is now ``text`` (or what ``text()`` returns when
        it is drawn, so a long block is not joined for every piece): on the
        screen within ``TEXT_FRAME``."""
        self.text, self.gap = text, gap
        if self._live is None:
            if not self.text.strip():
                return
            from rich.live import Live

            self._live = Live(get_renderable=self._renderable, console=self.console, transient=True, auto_refresh=False,
                              redirect_stdout=False, redirect_stderr=False)
            self._live.start()
        self._soon()

    def printed(self) -> None:
        """Text was printed above the live area: that redrew it too."""
        self._drawn = time.monotonic()

    def stop(self) -> None:
        """Take the live area away (what it showed is printed by the caller, or not at all)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        live, self._live = self._live, None
        self.text = ""
        if live is not None:
            live.stop()

    def _soon(self) -> None:
        wait = self._drawn + TEXT_FRAME - time.monotonic()
        if wait <= 0:
            self._draw()
            return
        if self._timer is None:
            try:
                self._timer = asyncio.get_running_loop().call_later(wait, self._due)
            except RuntimeError:  # no loop (a view fed by hand): the next piece or the block's end draws it
                pass

    def _due(self) -> None:
        self._timer = None
        self._draw()

    def _draw(self) -> None:
        if self._live is not None:
            self._drawn = time.monotonic()
            self._live.refresh()

    def _renderable(self) -> Any:
        text = self.text
        if not text.strip():
            return ""
        lines = max(3, min(LIVE_LINES, self.console.height - 2))
        # Only the end is shown: rendering a long block whole on every frame would cost its length each time.
        text = text[-lines * max(self.console.width, 20) * 2 :]
        return _Cropped(self.render(text), lines, self.gap)


# A clause ends at a line break or after sentence punctuation (a GUI phrase never spans one).
_CLAUSE_END = re.compile(r"[\n。！？；，]|[.!?;,:](?=\s)")


class PlainAnswer:
    """The answer's Markdown source to a file or a pipe, as it arrives."""

    def __init__(self, file: IO[str]) -> None:
        self.file = file
        self._held = ""  # arrived, not written yet: a word still arriving, or a clause that may be GUI talk
        self.ends_line = True  # what was written ends with a line break

    def feed(self, text: str) -> None:
        self._held += text
        held = self._held
        clause = 0
        for match in _CLAUSE_END.finditer(held):
            clause = match.end()
        rest = held[clause:]
        if may_begin_gui_talk(rest):
            cut = clause
        else:  # all but a word that may still be arriving
            space = max(rest.rfind(" "), rest.rfind("\t"))
            cut = clause + space + 1 if space >= 0 else clause
        if cut:
            self._write(held[:cut])
            self._held = held[cut:]

    def finish(self) -> None:
        """The message ended (or the turn was stopped): write what waits, end the line."""
        held, self._held = self._held, ""
        self._write(held)
        if not self.ends_line:
            self._write_raw("\n")

    def _write(self, text: str) -> None:
        text = clean(translate_gui(text, one_shot=True).text)  # (one-shot words: "nemochat export", not /export)
        if text:
            self._write_raw(text)

    def _write_raw(self, text: str) -> None:
        self.ends_line = text.endswith("\n")
        self.file.write(text)  # (a reader that left, `| head`: BrokenPipeError ends the command quietly, as PipeConsole does)
        self.file.flush()  # `| tee` shows it now, not when a buffer fills
