"""The REPL's view: the rich view, printed above a live prompt.

Rich's ``Live`` repeats output once it is taller than the screen, so nothing
here uses it. Instead:

- finished Markdown blocks are printed once, append-only, above the prompt
  (through the ``Printer``);
- the unfinished tail of the message being streamed, and one status line
  ("Generating video · usually 2-5 min · 0:42"), are part of the prompt's
  own area (``live_text``), which prompt_toolkit redraws in place; new text
  is on the screen within ~65 ms (``frames.TEXT_WAIT``). The tail is cropped to fit the
  screen, so the live area can never scroll;
- a block leaves the tail in the same redraw that prints it above (the
  printer runs the hand-over callback before redrawing).

Every other event is the rich view's (credits, timeline, errors, export):
only the console they print to is different.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import IO, Protocol, cast

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from nemochat.core import ui_events as ui
from nemochat.core.gui import translate_gui
from nemochat.core.sanitize import clean, clean_line, short_id
from nemochat.core.texts import say
from nemochat.errors import NemochatError
from nemochat.repl.jobs import Job, current_job
from nemochat.repl.live_text import last_lines, plain_paragraph, source_lines, trim_blank_lines, visible, wrap_words
from nemochat.repl.printer import Printer, PrinterFile, links_supported, terminal_size
from nemochat.repl.reflow import terminal_reflows
from nemochat.ui.honest_links import link_style
from nemochat.ui.markdown_stream import BlockSplitter
from nemochat.ui.markdown_render import markdown, thought_renderable
from nemochat.ui.rich_view import RichView
from nemochat.ui.status_lines import ToolLine, clock

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TAIL_SOURCE_LINES = 30  # a huge unfinished block is rendered from its end only (it is redrawn every frame)


def link(url: str, *, enabled: bool = True, style: str = "underline") -> Text:
    """A clickable OSC 8 hyperlink whose text is the URL itself, so a terminal
    without hyperlinks still shows (and lets you copy) the plain URL."""
    url = clean_line(url)
    return Text(url, style=link_style(url, style) if enabled else style)


_REPL_WORDS = ("status", "credits", "export", "upload", "sora", "veo", "gateway", "session", "sessions", "jobs", "open", "help")
_CLI_COMMAND = re.compile(r"\bnemochat (" + "|".join(_REPL_WORDS) + r")\b")


def in_repl(action: str) -> str:
    """An action line as the REPL says it: "`nemochat status`" -> "/status"
    (the chat's command), without Markdown backticks (this is a plain line)."""
    return _CLI_COMMAND.sub(r"/\1", action).replace("`", "")


@dataclass
class _Stream:
    """One assistant message being streamed."""

    splitter: BlockSplitter = field(default_factory=BlockSplitter)
    shown: int = 0  # characters of the text already printed above the prompt
    blocks: int = 0  # blocks printed so far (a blank line goes between two)
    done: bool = False  # the whole message is printed (or on its way to the screen)

    @property
    def tail(self) -> str:
        return self.splitter.text[self.shown :].strip("\n")


class ViewEvents(Protocol):
    """What the view tells the loop that shows it (``loop.Repl``), handed to it when built."""

    def changed(self) -> None: ...  # the live area needs a redraw now
    def moved(self) -> None: ...  # ... at the next frame: progress (frames are capped, see frames.STREAM_FRAME)
    def streamed(self) -> None: ...  # ... within a few dozen ms: new text of the answer (frames.TEXT_WAIT)
    def credits_shown(self, event: ui.CreditsShown) -> None: ...
    def session_ready(self, event: ui.SessionReady) -> None: ...
    def job_event(self, job: Job, event: ui.UIEvent) -> bool: ...  # an event raised inside a background job; True = consumed


class Unwatched:
    """The events of a view no loop follows (a test's): nothing to redraw, no job takes an event."""

    def changed(self) -> None:
        pass

    def moved(self) -> None:
        pass

    def streamed(self) -> None:
        pass

    def credits_shown(self, event: ui.CreditsShown) -> None:
        pass

    def session_ready(self, event: ui.SessionReady) -> None:
        pass

    def job_event(self, job: Job, event: ui.UIEvent) -> bool:
        return False


class LiveView(RichView):
    def __init__(
        self, printer: Printer, *, events: ViewEvents | None = None, show_thoughts: bool = False, color: bool = True, lang: str = "en"
    ) -> None:
        self.printer = printer
        self.events: ViewEvents = events if events is not None else Unwatched()
        self.color = color
        self.lang = lang
        self.links = color and links_supported()
        # The live lines are padded to the width only where a resize's erase
        # counts them (terminals that reflow, reflow.py): elsewhere the blanks
        # would only be more to lay out and compare at each redraw.
        self.pad_lines = terminal_reflows()
        console = Console(
            # typing.IO is a class, not a protocol: an io.TextIOBase (PrinterFile) has all
            # rich uses of a file (write, flush, isatty, encoding) without being one by name
            file=cast(IO[str], PrinterFile(printer)),
            force_terminal=color,
            no_color=None if color else True,
            color_system="auto" if color else None,
            highlight=False,
            emoji=False,
            width=terminal_size()[0],
        )
        super().__init__(console, show_thoughts=show_thoughts, interactive=True, lang=lang)
        self.streams: dict[int, _Stream] = {}
        self.tool: ToolLine | None = None
        self.transfers: dict[str, ui.TransferProgress] = {}  # uploads and downloads moving now
        self.turn_started: float | None = None  # a turn is streaming (for "Thinking · 0:03")
        self.claim_url: str | None = None
        self._tail_cache: tuple[str, int, str] = ("", 0, "")

    # -- the view interface ----------------------------------------------------------------

    def emit(self, event: ui.UIEvent) -> None:
        if type(event) is not ui.MessageDelta:  # (most deltas print nothing: they fit when they do)
            self._fit()
        job = current_job.get()
        if job is not None and self.events.job_event(job, event):
            return
        super().emit(event)

    def error(self, error: NemochatError) -> None:
        self._fit()
        super().error(error)

    stop_on_one_line = False  # "⏹ Stopped." and, below it, what to do

    def action_words(self, action: str) -> str:
        return in_repl(action)

    def say(self, text: str, style: str = "") -> None:
        self.show(Text(text, style=style))

    def show(self, renderable: object) -> None:
        self._fit()
        self.console.print(renderable)

    def _fit(self) -> None:
        """Print at the terminal's width of the moment (it may have been resized)."""
        self.console.width = terminal_size()[0]

    # -- a turn ------------------------------------------------------------------------------

    def begin_turn(self) -> None:
        self.turn_started = time.monotonic()
        self.events.changed()

    def end_turn(self) -> None:
        """The turn is over (or was stopped): nothing stays live."""

        def clear() -> None:
            self.streams.clear()
            self.tool = None
            self.turn_started = None
            self.events.changed()

        self.printer.then(clear)

    def stop_now(self) -> None:
        """Ctrl-C: the live area stops at once. What was already on the screen
        stays readable: an unfinished block is printed as it stood."""
        streams = list(self.streams.values())
        for stream in streams:
            if stream.tail.strip():
                self._print_stream_block(stream, stream.tail)
                self.console.print(Text(say(self.lang, "stopped_here"), style="dim"))
        self.tool = None
        self.turn_started = None
        self.transfers.clear()

        def clear() -> None:
            for stream in streams:
                stream.shown = stream.splitter.length
            self.streams.clear()
            self.events.changed()

        self.printer.then(clear)

    def _on_MessageDelta(self, event: ui.MessageDelta) -> None:
        stream = self.streams.get(event.index)
        if stream is None:
            stream = self.streams[event.index] = _Stream()
        blocks = stream.splitter.feed(event.text)
        if blocks:
            for block in blocks:
                self._print_stream_block(stream, block)
            upto = stream.splitter.length - len(stream.splitter.tail)
            self.printer.then(lambda: self._shown(stream, upto))
        self.events.streamed()

    @property
    def streaming(self) -> bool:
        """An answer is arriving (not just finishing)."""
        return any(not stream.done for stream in self.streams.values())

    def _on_Message(self, event: ui.Message) -> None:
        stream = self.streams.get(event.index) or self.streams.setdefault(event.index, _Stream())
        stream.done = True
        splitter = stream.splitter
        if event.raw.startswith(splitter.text):
            for block in splitter.feed(event.raw[len(splitter.text) :]):
                self._print_stream_block(stream, block)
            rest = splitter.finish()
            if rest:
                self._print_stream_block(stream, rest)
        else:  # the final contradicts what streamed: show the final whole
            self._print_stream_block(stream, event.raw)
        if not event.complete:
            self.console.print(Text(say(self.lang, "cut_off"), style="dim"))
        self.console.print()
        self.printer.then(lambda: self._done_streaming(event.index, stream))
        if not self.streaming:
            self.printer.hurry()

    def _on_MessageDropped(self, event: ui.MessageDropped) -> None:
        self.streams.pop(event.index, None)
        self.events.changed()

    def _print_stream_block(self, stream: _Stream, raw_block: str) -> None:
        self._fit()
        if stream.blocks:
            self.console.print()
        stream.blocks += 1
        self._print_block(raw_block)

    def _print_block(self, raw_block: str) -> None:
        # Printed without the blank lines rich puts around some blocks (a list, a
        # table, a code block's padding): one blank line between blocks, the view's.
        with self.console.capture() as capture:
            self.console.print(markdown(clean(translate_gui(raw_block).text)))
        self.console.file.write(trim_blank_lines(capture.get()))
        self.console.file.flush()

    def _shown(self, stream: _Stream, upto: int) -> None:
        stream.shown = max(stream.shown, upto)
        self.events.moved()  # (the printer redraws right after this, with the block above)

    def _done_streaming(self, index: int, stream: _Stream) -> None:
        if self.streams.get(index) is stream:
            del self.streams[index]
        self.events.moved()

    def _on_UserSaid(self, event: ui.UserSaid) -> None:
        if self.turn_started is None:
            self.begin_turn()

    def _on_Thought(self, event: ui.Thought) -> None:
        if self.show_thoughts and event.text.strip():
            self.console.print(thought_renderable(event.text))
            self.console.print()  # apart from the answer

    def _on_ToolActivity(self, event: ui.ToolActivity) -> None:
        if event.phase == "call":
            self.tool = self._tool_started(event)
        else:
            self.console.print(self._tool_done(event))
        self.events.changed()

    def _on_ActionOffered(self, event: ui.ActionOffered) -> None:
        pass  # the loop turns actions into one-key offers after the turn

    def _on_TransferProgress(self, event: ui.TransferProgress) -> None:
        """A bar would be a rich Live: the status line shows it instead."""
        event = self.transfer_in_lang(event)
        if event.finished:
            self.transfers.pop(event.task, None)
        else:
            self.transfers[event.task] = event
        self.events.moved()

    def _on_TurnFinished(self, event: ui.TurnFinished) -> None:
        self.tool = None
        self.events.changed()

    def _stop_tool(self) -> None:
        self.tool = None

    def _pause_tool(self) -> None:
        pass

    # -- session, credits ---------------------------------------------------------------------

    def _on_SessionReady(self, event: ui.SessionReady) -> None:
        from nemochat.repl.texts import text

        sid = short_id(event.session_id)
        if event.resumed:
            self.console.print(Text(text(self.lang, "ready_resumed", sid=sid), style="green"))
        else:
            self.console.print(Text(text(self.lang, "ready_new"), style="green") + Text(f" ({sid})", style="dim"))
        self.claim_url = event.claim_url  # a resumed session has none: /open asks for one
        if event.claim_url:
            self.console.print(Text(text(self.lang, "open_link"), style="dim") + link(event.claim_url, enabled=self.links))
        self.events.session_ready(event)

    def _on_CreditsShown(self, event: ui.CreditsShown) -> None:
        super()._on_CreditsShown(event)
        self.events.credits_shown(event)

    # -- the live area ----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return bool(self.streams) or self.tool is not None or self.turn_started is not None or bool(self.transfers)

    @property
    def ticking(self) -> bool:
        """The status line shows a spinner and a clock (it is redrawn twice a
        second for them): a tool, a transfer, or "Thinking" before any text."""
        if self.tool is not None or self.transfers:
            return True
        return self.turn_started is not None and not any(s.tail.strip() for s in self.streams.values())

    def live_text(self, width: int, max_lines: int) -> str:
        """The live area, as ANSI text: the unfinished block, then the status line."""
        lines: list[str] = []
        live = [s for s in self.streams.values() if s.tail.strip()]
        tail = "\n\n".join(s.tail for s in live)
        if tail:
            lines = self._render_tail(tail, width).rstrip("\n").split("\n")
            while lines and not visible(lines[-1]).strip():
                lines.pop()
            if live[0].blocks:  # the same blank line as between printed blocks
                lines.insert(0, "")
            room = max(1, max_lines - 1)
            if len(lines) > room:
                lines = ["\x1b[2m…\x1b[0m"] + lines[-(room - 1) :] if room > 1 else lines[-1:]
        status = self._status_line(show_thinking=not tail)
        if status:
            lines.append(status)
        return "\n".join(lines)

    def _render_tail(self, tail: str, width: int) -> str:
        cached_tail, cached_width, rendered = self._tail_cache
        if cached_tail == tail and cached_width == width:
            return rendered
        source = clean(translate_gui(last_lines(tail, TAIL_SOURCE_LINES)).text)
        # Wrapped here, at a fraction of rich's cost (the tail is redrawn up to
        # 15 times a second): a paragraph of plain words as rich shows it; any
        # other block (a list, code, a table, inline markup) as its source, which
        # rich renders once, in place, when the block is complete.
        lines = wrap_words(source, width - 1) if plain_paragraph(source) else source_lines(source, width - 1)
        if self.pad_lines:  # as rich pads its lines: the live area's rows are then as wide as before, as tmux sees them
            rendered = "".join(line + " " * (width - 1 - cell_len(line)) + "\n" for line in lines)
        else:
            rendered = "".join(line + "\n" for line in lines)
        self._tail_cache = (tail, width, rendered)
        return rendered

    def _status_line(self, *, show_thinking: bool) -> str:
        now = time.monotonic()
        frame = SPINNER[int(now * 4) % len(SPINNER)]
        if self.transfers:
            parts = _transfer_parts(next(reversed(self.transfers.values())))
        elif self.tool is not None:
            parts = [self.tool.words(now)]
        elif show_thinking and self.turn_started is not None:
            from nemochat.repl.texts import text

            parts = [text(self.lang, "thinking"), clock(now - self.turn_started)]
        else:
            return ""
        line = f"{frame} " + " · ".join(parts)
        return f"\x1b[36m{line}\x1b[0m" if self.color else line


def _transfer_parts(event: ui.TransferProgress) -> list[str]:
    from nemochat.ui.progress import amount, rate, time_left

    parts = [clean_line(event.label), amount(event.done, event.total, event.unit).strip()]
    return parts + [p for p in (rate(event.speed, event.unit), time_left(event.eta)) if p]
