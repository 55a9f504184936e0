"""When the prompt's area is redrawn: the loop's frame pacing.

``changed()`` redraws at once (an offer, a question, a turn that ended);
``streamed()`` (new text of an answer) redraws within ``TEXT_WAIT`` of the
first text not on the screen yet: at once after a pause, else that much later,
so a word is on the screen within ~65 ms of its arrival and a fast stream costs
about 13 redraws a second; ``moved()`` (progress) waits for the next tick;
``hold`` says how long text printed above the prompt may wait (it stays on
the screen meanwhile, in the live area). Hints (a line in the toolbar for a
few seconds) are taken away by the same tick. When nothing moves (no answer, no
job, no hint) the tick sleeps until something does: an idle REPL does not wake.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prompt_toolkit.application import Application

    from nemochat.repl.jobs import JobManager
    from nemochat.repl.live_view import LiveView
    from nemochat.repl.printer import Printer

HINT_SECONDS = 4.0
FRAME = 0.1  # how often the loop looks whether the live area needs a redraw
# The longest streamed text waits for its frame (each word on the screen
# within 100 ms, p95, is the goal). A redraw of the prompt's area costs 2-4 ms
# (prompt_toolkit lays it all out again, and the REPL's CPU while an answer
# streams is to stay within 5% of a core of `--json ask`'s: bench/run.py), so
# the frame waits for the text after it: one frame per ~75 ms at 50 words/s
# (a frame every 50 ms, on a clock, drew ~18 a second for the same delays).
TEXT_WAIT = 0.065
# Progress (and anything else that ``moved``) is redrawn about once a second.
STREAM_FRAME = 1.25
# Finished blocks go above at most this often while an answer streams (the
# first at once); meanwhile they stay in the live area, in place, so nothing
# waits to be seen. Printing above costs two redraws (the terminal's cursor
# report answers the first): a fast stream printed block by block would fall
# behind. A few KB waiting are printed at once (printer.HOLD_BYTES).
PRINT_EVERY = 0.5


class Frames:
    """The redraw state and pacing of the prompt's area, for the loop that owns
    it (``loop.Repl``); ``changed``: the loop's "redraw now" (what a hint or a
    cursor report asks for), which comes back to ``redraw``."""

    def __init__(self, app: Application[Any], *, view: LiveView, printer: Printer, jobs: JobManager, changed: Callable[[], None]) -> None:
        self.app, self.view, self.printer, self.jobs, self._changed = app, view, printer, jobs, changed
        self._dirty = True
        self._moved = False
        self._last_frame = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hint: tuple[str, float] | None = None
        self._text_timer: asyncio.TimerHandle | None = None
        self._undrawn = False  # streamed text arrived after the last frame
        self._wake: asyncio.Event | None = None  # set when there may be something for the tick to do
        self.drawn = asyncio.Event()  # set by the first frame (the prompt is on the screen)

    def start(self) -> asyncio.Task[None]:
        """On the loop's thread: the tick, as a task the loop cancels when it ends."""
        self._loop = asyncio.get_running_loop()
        self.app.after_render += self._rendered
        return asyncio.create_task(self._tick(), name="redraw")

    def _rendered(self, app: Any) -> None:
        """Any redraw (a text frame, a key, the printer's) is a frame: it drew
        the text so far, and whatever moved (the tick need not wake for it)."""
        self._last_frame = time.monotonic()
        self._undrawn = self._moved = False
        self.drawn.set()

    def _moving(self) -> bool:
        return self.view.ticking or bool(self.jobs.running()) or self._hint is not None

    async def _tick(self) -> None:
        last = 0.0
        self._wake = asyncio.Event()
        while True:
            if not (self._dirty or self._moved or self._moving()):
                self._wake.clear()
                await self._wake.wait()  # idle: no timer at all
            await asyncio.sleep(FRAME)
            now = time.monotonic()
            moving = self._moving()
            streamed = self._moved and now - self._last_frame >= STREAM_FRAME
            if self._dirty or streamed or (moving and now - max(last, self._last_frame) >= 0.5):
                self._dirty = self._moved = False
                last = now
                if self._hint and now > self._hint[1]:
                    self._hint = None
                self.app.invalidate()

    def hold(self) -> float:
        """How long printed text may wait (while an answer streams; its first
        block goes at once)."""
        last = self.printer.last_run
        if not self.view.streaming or last < (self.view.turn_started or 0.0):
            return 0.0
        return max(0.0, last + PRINT_EVERY - time.monotonic())

    def streamed(self) -> None:
        """New text of an answer: redraw within ``TEXT_WAIT`` (from the loop's thread).
        After a pause (no frame for ``TEXT_WAIT``) at once; else the frame waits
        that long for more text, so each frame shows several pieces of a fast stream."""
        self._undrawn = True
        if self._text_timer is not None:
            return  # a frame is already on its way: it will show this too
        loop = self._loop
        if loop is None or loop.is_closed():
            self._moved = True
            return
        paused = time.monotonic() - self._last_frame >= TEXT_WAIT
        self._text_timer = loop.call_later(0.0 if paused else TEXT_WAIT, self._text_frame)

    def _text_frame(self) -> None:
        self._text_timer = None
        app = self.app
        if app.is_running and self._undrawn:  # (another redraw, the printer's, may have shown it already)
            self._last_frame = time.monotonic()  # (the redraw itself comes a moment later)
            app.invalidate()

    def on_cursor_report(self) -> None:
        """The terminal said where the prompt is (after a print above it): the
        toolbar can go down to the bottom row; while an answer streams, with
        the next text frame (no frame of its own)."""
        if self.view.streaming:
            self.streamed()
        else:
            self._changed()

    def moved(self) -> None:
        """Streamed text or progress moved on: redraw at the next frame."""
        self._moved = True
        self._poke()

    def _poke(self) -> None:
        """Wake the tick (from the loop's thread, or hand it to the loop)."""
        wake, loop = self._wake, self._loop
        if wake is None or loop is None or loop.is_closed():
            return
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    def redraw(self) -> None:
        """Something in the prompt's area changed: redraw it now (from any
        task, or any thread: the redraw is asked for on the loop's thread),
        so an offer or a question is on the screen without a key press."""
        self._dirty = True
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._invalidate()
        else:
            loop.call_soon_threadsafe(self._invalidate)

    def _invalidate(self) -> None:
        if self._wake is not None:
            self._wake.set()  # (what changed may start something moving: a turn, a job)
        app = self.app
        if app.is_running:
            self._dirty = False  # redrawn now: not again at the next tick
            app.invalidate()

    def hint(self, message: str) -> None:
        self._hint = (message, time.monotonic() + HINT_SECONDS)
        self._changed()

    def current_hint(self) -> str | None:
        if self._hint and time.monotonic() <= self._hint[1]:
            return self._hint[0]
        return None
