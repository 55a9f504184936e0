"""Everything the REPL prints goes above the prompt, in order, through here.

prompt_toolkit redraws its own area (the input line, the live tail, the
toolbar); anything else written to the terminal while it runs would be
overwritten or would corrupt the input line. The printer queues text and
writes it with ``in_terminal()``: the prompt is erased, the text written, the
prompt drawn again below it. Queued callbacks run at their place in the
queue, *before* the redraw, so the live tail can give up a block in the same
frame that the block appears above it: nothing flickers, nothing is shown
twice.

While an answer streams, printed text may wait a little (``hold``: the
text is still on the screen meanwhile, in the live area), so one redraw
shows several blocks; a few KB waiting are printed at once (a fast stream
must not fall behind).

Before the loop runs (and after it ends) writes go straight to the terminal.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import os
import re
import sys
import time
from collections.abc import Callable
from typing import IO

from prompt_toolkit.application import in_terminal
from rich.console import Console, RenderableType

Item = str | Callable[[], None]
_PADDING = re.compile(r" +\n")  # unstyled blanks that end a line (a styled code block keeps its background)
HOLD_BYTES = 32768  # this much waiting is printed at once (each print redraws the prompt: a few ms)

# Set (to a list) in a task whose printed output is held back: a slash command
# typed while the agent answers (the loop prints it once the answer is done).
held_output: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("nemochat_held_output", default=None)


def terminal_size() -> tuple[int, int]:
    try:
        if sys.__stdout__ is not None:  # (None without a console at all)
            size = os.get_terminal_size(sys.__stdout__.fileno())
            return size.columns, size.lines
    except (OSError, AttributeError, ValueError):
        pass
    return int(os.environ.get("COLUMNS", 80) or 80), int(os.environ.get("LINES", 24) or 24)


def links_supported(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """OSC 8 hyperlinks: off on dumb terminals and where the user says so
    (``NEMOCHAT_NO_LINKS``); terminals that do not know them show the text."""
    term = env.get("TERM", "")
    return term not in ("", "dumb", "linux") and not env.get("NEMOCHAT_NO_LINKS")


def render_ansi(renderable: RenderableType, width: int, *, color: bool = True) -> str:
    """A rich renderable as the text (with ANSI styles) a terminal would show."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(20, width),
        force_terminal=color,
        no_color=not color or None,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(renderable)
    return buffer.getvalue()


class Printer:
    def __init__(self, stream: IO[str] | None = None, *, hold: Callable[[], float] = lambda: 0.0) -> None:
        """``hold``: how long text may wait for the next frame (the loop's pacing, ``frames.Frames.hold``)."""
        self.stream: IO[str] = stream or sys.__stdout__ or io.StringIO()  # (no console at all: nowhere)
        self.hold = hold
        self._items: list[Item] = []
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._ends_line = True  # the last text written ended its line
        self._blank = True  # ... and a blank line follows it
        self._queued = 0  # characters of text waiting
        self.last_run = 0.0  # time.monotonic() of the last print
        self._urgent: asyncio.Event | None = None

    # -- writing ----------------------------------------------------------------

    def write(self, text: str) -> None:
        if text:
            self._blank = text.endswith("\n\n") or (text == "\n" and self._ends_line)
            self._ends_line = text.endswith("\n")
            self._put(text)

    def separate(self) -> None:
        """End what was just printed with one blank line (never two)."""
        if self._ends_line and not self._blank:
            self.write("\n")

    def hurry(self) -> None:
        """Print what waits without waiting any longer (the answer is complete)."""
        if self._urgent is not None:
            self._urgent.set()

    def then(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once everything written before it is on the screen."""
        self._put(callback)

    def _put(self, item: Item) -> None:
        if self._task is None or self._task.done():
            self._run([item])  # no prompt on the screen: write at once
            return
        self._items.append(item)
        assert self._wake is not None and self._idle is not None and self._urgent is not None
        if isinstance(item, str):
            self._queued += len(item)
            if self._queued >= HOLD_BYTES:
                self._urgent.set()
        self._idle.clear()
        self._wake.set()

    # -- the worker -----------------------------------------------------------------

    def start(self) -> None:
        self._wake, self._idle, self._urgent = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._idle.set()
        self._task = asyncio.create_task(self._worker(), name="nemochat-printer")

    async def drain(self) -> None:
        """Wait until everything queued is written."""
        if self._idle is not None and self._task is not None and not self._task.done():
            await self._idle.wait()

    async def stop(self) -> None:
        await self.drain()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None
        if self._items:  # whatever came in meanwhile
            items, self._items = self._items, []
            self._run(items)

    async def _worker(self) -> None:
        assert self._wake is not None and self._idle is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(0.01)  # gather what arrives together into one redraw
            hold = self.hold()
            if hold > 0 and self._queued < HOLD_BYTES:
                assert self._urgent is not None
                self._urgent.clear()
                try:  # share the live area's next redraw, unless much is waiting
                    await asyncio.wait_for(self._urgent.wait(), hold)
                except TimeoutError:
                    pass
            while self._items:
                items, self._items = self._items, []
                self._queued = 0
                self.last_run = time.monotonic()
                async with in_terminal():
                    self._run(items)
            if not self._items:
                self._idle.set()

    def _run(self, items: list[Item]) -> None:
        for item in items:
            if isinstance(item, str):
                try:
                    self.stream.write(item)
                except (OSError, ValueError):
                    pass
            else:
                item()
        try:
            self.stream.flush()
        except (OSError, ValueError):
            pass


class PrinterFile(io.TextIOBase):
    """A file for a rich ``Console``: each print reaches the printer whole."""

    def __init__(self, printer: Printer) -> None:
        self.printer = printer
        self._pending: list[str] = []

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self._pending.append(text)
        return len(text)

    def flush(self) -> None:
        if self._pending:
            # rich pads lines to the width with blanks: a terminal that reflows
            # (tmux...) would turn each into two rows when the window narrows
            text, self._pending = _PADDING.sub("\n", "".join(self._pending)), []
            held = held_output.get()
            if held is not None:
                held.append(text)
            else:
                self.printer.write(text)
