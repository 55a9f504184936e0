"""The view for people: Markdown answers, a tool status line, clear errors.

Two consoles: ``console`` gets the answer and the data asked for (the
agent's text and questions, credits, the timeline, what changed, results),
``chrome`` everything about getting there (the session line, notices, tool
progress, errors, hints). One-shot commands put chrome on stderr, so
``nemochat status > f`` holds only the status; the REPL uses one console.

Every server string is sanitized and printed as a rich ``Text`` or
``Markdown`` object, never as a markup string, so ``[bold]`` in an answer
prints literally. Streamed text is printed block by block, append-only
(see markdown_stream), so nothing is ever shown twice; the block still
arriving is shown live on a terminal, and written as it comes to a file or a
pipe (see answer_stream).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
import re
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.text import Text

from nemochat.core import ui_events as ui
from nemochat.core import cli_words
from nemochat.core.gui import translate_gui
from nemochat.core.lettering import lettered
from nemochat.core.sanitize import clean, clean_line, short_id
from nemochat.core.texts import said_in, say
from nemochat.core.tool_labels import ToolLabel, label_for
from nemochat.core.turn import may_be_dropped
from nemochat.errors import Interrupted, NemochatError
from nemochat.ui.answer_stream import LiveTail, PlainAnswer
from nemochat.ui.honest_links import honest_links, link_style
from nemochat.ui.markdown_stream import BlockSplitter

if TYPE_CHECKING:
    from rich.status import Status


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


def clock(seconds: float) -> str:
    """"0:42": how long something has taken."""
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclasses.dataclass(frozen=True)
class ToolLine:
    """The one status line of a running tool: "Generating video · usually 2-5 min · 0:42"
    (a spinner of the one-shot view's, a row of the REPL's live area)."""

    label: str
    expected: str | None
    started: float = dataclasses.field(default_factory=time.monotonic)

    def words(self, now: float) -> str:
        return " · ".join([self.label] + ([self.expected] if self.expected else []) + [clock(now - self.started)])

    def done(self, now: float) -> Text:
        """The line left when the tool's result comes: "✓ Generating video (0:42)"."""
        return Text(f"✓ {self.label} ({clock(now - self.started)})", style="green")

    def __rich__(self) -> RenderableType:
        # Only the words: the Status that shows this line draws the one spinner
        # (a Spinner here made two: "⠼ ⠋ Generating video").
        return Text(self.words(time.monotonic()), style="cyan")


def error_lines(message: str, action: str | None, *, stopped: bool = False, stop_on_one_line: bool = True) -> list[Text]:
    """An error as people read it: "✗ what happened" and, indented, what to do.
    ``stopped`` (Ctrl-C, asked for: not a failure) is "⏹ …": on one line in a
    one-shot's log, its advice dimmed on a line of its own in the REPL."""
    if stopped and stop_on_one_line:
        return [Text("⏹ " + clean_line(message) + (" " + clean_line(action) if action else ""), style="yellow")]
    if stopped:
        return [Text("⏹ " + clean(message), style="yellow")] + ([Text("  " + clean(action), style="dim")] if action else [])
    lines = [Text("✗ ", style="bold red") + Text(clean_line(message), style="red")]
    return lines + ([Text("  " + clean(action), style="yellow")] if action else [])


# Blanks that end a line (not the last piece of a buffer: ``end=""`` prints may go on).
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n)")


class PipeConsole(Console):
    """A Console for one-shot commands: a reader that leaves early
    (``| head``) ends the command quietly instead of rich's exit 1; to a file
    or a pipe, lines carry no trailing blanks."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError

    def _render_buffer(self, buffer: Any) -> str:
        text = super()._render_buffer(buffer)
        # rich pads Markdown (and tables) to the console's width: invisible on a
        # terminal, but a file or a script would keep a line of spaces per line.
        if self.is_terminal or (" \n" not in text and "\t\n" not in text):
            return text
        return _TRAILING_BLANKS.sub("", text)


def one_shot_consoles(*, no_color: bool | None = None) -> tuple[Console, Console]:
    """(answer, chrome) for a one-shot command: stdout and stderr. When both
    are the same terminal nothing can tell them apart, and one console keeps
    a spinner on one from tearing lines printed on the other."""
    answer = PipeConsole(highlight=False, no_color=no_color)
    if _one_screen():
        return answer, answer
    # soft_wrap: a long error stays one line in a log (a terminal wraps it anyway)
    return answer, PipeConsole(stderr=True, highlight=False, no_color=no_color, soft_wrap=True)


def _one_screen() -> bool:
    try:
        out, err = sys.stdout.fileno(), sys.stderr.fileno()
        return os.isatty(out) and os.path.samestat(os.fstat(out), os.fstat(err))
    except (AttributeError, OSError, ValueError):  # (pytest's capture, a closed stream)
        return False


def thought_renderable(text: str) -> RenderableType:
    """A thought as people read it: its Markdown, dimmed, so it does not read as the answer."""
    from rich.styled import Styled

    return Styled(markdown(clean(text).strip()), "dim italic")


class RichView:
    def __init__(
        self, console: Console | None = None, *, chrome: Console | None = None, show_thoughts: bool = False, interactive: bool | None = None,
        lang: str = "en",
    ) -> None:
        self.lang = lang  # what nemochat itself writes is in this language (core.texts)
        self.console = console or PipeConsole(highlight=False)
        self.chrome = chrome or self.console
        self.show_thoughts = show_thoughts
        # Spinners and bars are redrawn in place when the chrome is a terminal.
        self.interactive = self.chrome.is_terminal if interactive is None else interactive
        # Only the REPL (interactive=True) takes a letter as the answer to a question.
        self.answers_inline = interactive is True
        self._streams: dict[int, BlockSplitter] = {}
        self._status: Status | None = None
        self.tool: ToolLine | None = None  # the running tool's status line
        self._calls: dict[str, ToolLine] = {}  # call id -> its line, for the result's "✓ … (0:42)"
        # The block still arriving: live on a terminal; to a file or a pipe the Markdown as written
        # (a paragraph on one line, as `llm` does: only a terminal wraps), as it comes.
        live = self.console.is_terminal and not self.console.is_dumb_terminal  # (a dumb terminal cannot redraw in place)
        self._tail = LiveTail(self.console, self._renderable_block) if live else None
        self._plain = None if live else PlainAnswer(self.console.file)
        self._blocks: dict[int, int] = {}  # blocks printed per message (a blank line goes between two)
        self._plain_pieces: dict[int, list[str]] = {}  # what each message streamed (to a file or a pipe)
        self._plain_going: set[int] = set()  # ... and which of them are being written

    def tool_label(self, event: ui.ToolActivity) -> ToolLabel:
        """The tool's label and expected time, in this view's language."""
        return label_for(event.name, self.lang) if self.lang != "en" else ToolLabel(event.label, event.expected)

    # -- the view interface ----------------------------------------------------------

    def emit(self, event: ui.UIEvent) -> None:
        if self._tail is not None and self._tail.active and type(event) is ui.ToolActivity:
            self._tail.stop()  # one live area at a time: the block shows whole when it completes
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)

    def error(self, error: NemochatError) -> None:
        self._settle_streams()
        self._stop_tool()
        message, action = error.say(self.lang)
        self._print_error(message, action, stopped=isinstance(error, Interrupted))

    # A one-shot's stop is one line (a log keeps it whole); the REPL's puts its advice below.
    stop_on_one_line = True

    def action_words(self, action: str) -> str:
        """An error's advice as this view says it (the REPL: "/status" for "`nemochat status`")."""
        return action

    def _print_error(self, message: str, action: str | None, *, stopped: bool = False) -> None:
        advice = self.action_words(action) if action else None
        for line in error_lines(message, advice, stopped=stopped, stop_on_one_line=self.stop_on_one_line):
            self.chrome.print(line)

    def done(self) -> None:
        self._settle_streams()
        self._stop_tool()

    # -- agent output ------------------------------------------------------------------

    def _on_MessageDelta(self, event: ui.MessageDelta) -> None:
        if self._plain is not None:
            pieces = self._plain_pieces.setdefault(event.index, [])
            pieces.append(event.text)
            if event.index in self._plain_going:
                self._plain.feed(event.text)
            elif not may_be_dropped(so_far := "".join(pieces)):  # (a "temporary issue" line is dropped whole: not written)
                self._plain_going.add(event.index)
                self._plain.feed(so_far)
            return
        splitter = self._streams.setdefault(event.index, BlockSplitter())
        blocks = splitter.feed(event.text)
        if self._tail is not None:  # (always, when not to a file or a pipe)
            if blocks:
                self._tail.text = ""  # (a print redraws the live area below it: not with the block in it)
            self._print_stream_blocks(event.index, blocks, plain=splitter.length > MARKDOWN_LIMIT)
            self._pause_status()
            # (the tail is joined only when it is drawn: at most every TEXT_FRAME, not per piece)
            self._tail.show(lambda: splitter.tail.strip("\n"), gap=self._blocks.get(event.index, 0) > 0)

    def _on_Message(self, event: ui.Message) -> None:
        if self._plain is not None:
            streamed = "".join(self._plain_pieces.pop(event.index, [])) if event.index in self._plain_going else ""
            self._plain_going.discard(event.index)
            self._plain.feed(event.raw[len(streamed) :] if event.raw.startswith(streamed) else "\n\n" + event.raw)
            self._plain.finish()
            if not event.complete:
                self.chrome.print(Text(say(self.lang, "cut_off"), style="dim"))
            self.console.print()
            return
        splitter = self._streams.pop(event.index, None) or BlockSplitter()
        if self._tail is not None:
            self._tail.stop()
        if event.raw.startswith(splitter.text):
            blocks = splitter.feed(event.raw[splitter.length :])
            rest = splitter.finish()
            self._print_stream_blocks(event.index, [*blocks, rest] if rest else blocks, plain=len(event.raw) > MARKDOWN_LIMIT)
        else:  # the final contradicts what streamed: show the final whole
            self._print_stream_blocks(event.index, [event.raw], plain=len(event.raw) > MARKDOWN_LIMIT)
        self._blocks.pop(event.index, None)
        if not event.complete:
            self.chrome.print(Text(say(self.lang, "cut_off"), style="dim"))
        self.console.print()

    def _on_MessageDropped(self, event: ui.MessageDropped) -> None:
        self._streams.pop(event.index, None)
        self._blocks.pop(event.index, None)
        self._plain_pieces.pop(event.index, None)
        self._plain_going.discard(event.index)
        if self._tail is not None and not self._streams:
            self._tail.stop()

    def _print_stream_blocks(self, index: int, raw_blocks: list[str], *, plain: bool = False) -> None:
        """Finished blocks of message ``index``, one blank line between two;
        ``plain`` past MARKDOWN_LIMIT: as written, all in one write (rich's
        Markdown costs ~5 µs a character: minutes for megabytes)."""
        if not raw_blocks:
            return
        if plain:
            gap = "\n" if self._blocks.get(index) else ""
            self.console.file.write(gap + clean(translate_gui("\n\n".join(raw_blocks), one_shot=True).text).strip("\n") + "\n")
            self.console.file.flush()
            self._blocks[index] = self._blocks.get(index, 0) + len(raw_blocks)
        else:
            for raw_block in raw_blocks:
                if self._blocks.get(index):
                    self.console.print()
                self._blocks[index] = self._blocks.get(index, 0) + 1
                self._print_block(raw_block)
        if self._tail is not None:
            self._tail.printed()

    def _print_block(self, raw_block: str) -> None:
        self.console.print(self._renderable_block(raw_block))

    def _renderable_block(self, raw_block: str) -> RenderableType:
        return markdown_block(clean(translate_gui(raw_block, one_shot=True).text))

    def _settle_streams(self) -> None:
        """The turn ended or was stopped mid-message: what was on its way is
        left on the screen (or in the file) as it stood, once."""
        if self._plain is not None:
            if self._plain_going:
                self._plain.finish()
            self._plain_pieces.clear()
            self._plain_going.clear()
            return
        if self._tail is None or not self._tail.active:
            return
        text = self._tail.text
        self._tail.stop()
        if text.strip():
            self._print_block(text)
        self._streams.clear()
        self._blocks.clear()

    def _pause_status(self) -> None:
        """Text arrives while a tool's spinner runs: the spinner stops (its
        line still prints when the tool finishes), one live area at a time."""
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _on_Thought(self, event: ui.Thought) -> None:
        if self.show_thoughts and event.text.strip():
            self.chrome.print(thought_renderable(event.text))
            self.chrome.print()  # apart from the answer

    def _on_HandedOff(self, event: ui.HandedOff) -> None:
        self._stop_tool()
        self.chrome.print(Text(say(self.lang, "handoff", agent=clean_line(event.agent)), style="cyan"))

    def _on_ToolActivity(self, event: ui.ToolActivity) -> None:
        if event.phase == "call":
            self._stop_tool()
            self.tool = self._tool_started(event)
            if self.interactive:
                from rich.status import Status

                self._status = Status(self.tool, console=self.chrome)
                self._status.start()
            else:
                self.chrome.print(Text("… " + self.tool.label, style="cyan"))
        else:
            self.chrome.print(self._tool_done(event))

    def _tool_started(self, event: ui.ToolActivity) -> ToolLine:
        label = self.tool_label(event)
        line = ToolLine(clean_line(label.label), label.expected)
        if event.call_id:
            self._calls[event.call_id] = line
        return line

    def _tool_done(self, event: ui.ToolActivity) -> Text:
        """The tool's result came: its status line stops, "✓ … (0:42)" stays."""
        done = self._calls.pop(event.call_id, None) if event.call_id else self.tool
        if done is self.tool:
            self._stop_tool()
        return done.done(time.monotonic()) if done else Text("✓ " + clean_line(self.tool_label(event).label), style="green")

    def _on_ArtifactNoted(self, event: ui.ArtifactNoted) -> None:
        self.chrome.print(Text(say(self.lang, "artifact_saved", name=clean_line(event.name)), style="dim"))

    def _on_Notice(self, event: ui.Notice) -> None:
        style = {"working": "dim", "recovery": "yellow", "warning": "yellow"}.get(event.kind, "dim")
        prefix = "⏳ " if event.kind == "working" else ""
        message = say(self.lang, event.key, **dict(event.values)) if event.key and self.lang != "en" else event.message
        self.chrome.print(Text(prefix + clean(message), style=style))

    def _on_QuestionAsked(self, event: ui.QuestionAsked) -> None:
        self._stop_tool()
        q = event.question
        if q.title:
            self.console.print(Text(clean_line(q.title), style="bold"))
        for item in q.items:
            if item.prompt:
                self.console.print(Text(clean_line(item.prompt)))
            for letter, option in lettered(item.options):
                self.console.print(Text(f"  {letter}) ", style="bold cyan") + Text(clean_line(option.label)))
        if not self.answers_inline:
            self.chrome.print(Text(say(self.lang, "answer_hint"), style="dim"))

    def _on_ActionOffered(self, event: ui.ActionOffered) -> None:
        what = say(self.lang, "offer." + event.action.kind)
        # One-shot commands: the command line's form ("nemochat export"), not the REPL's ("/export").
        command = cli_words.command(event.action.command[1:]) if event.action.command.startswith("/") else event.action.command
        line = say(self.lang, "offer.run", what=what, command=command) if command else say(self.lang, "offer.describe", what=what)
        self.chrome.print(Text(line, style="cyan"))

    def _on_TurnFinished(self, event: ui.TurnFinished) -> None:
        self._stop_tool()

    # -- direct calls ----------------------------------------------------------------------

    def _on_SessionReady(self, event: ui.SessionReady) -> None:
        what = say(self.lang, "session.resumed" if event.resumed else "session.new", sid=short_id(event.session_id))
        where = say(self.lang, "session.demo") if event.demo else ""
        self.chrome.print(Text(what + where, style="dim"))
        if event.claim_url:
            url = clean_line(event.claim_url)
            self.chrome.print(Text(say(self.lang, "session.link"), style="dim") + Text(clean_line(url), style=link_style(url)))

    def _on_CreditsShown(self, event: ui.CreditsShown) -> None:
        self.console.print(
            Text(say(self.lang, "credits"), style="bold")
            + Text(say(self.lang, "credits_available", available=f"{event.available:g}"), style="green")
            + Text(say(self.lang, "credits_rest", frozen=f"{event.frozen:g}", total=f"{event.total:g}"))
        )

    def _on_StateShown(self, event: ui.StateShown) -> None:
        t = event.timeline
        title = clean_line(t.title) if t.title else say(self.lang, "untitled")
        self.console.print(Text(f"{title} · {t.duration_ms / 1000:g} s", style="bold"))
        lines = t.summary_lines(self.lang)
        for line in lines or [say(self.lang, "empty_draft")]:
            self.console.print(Text("  " + clean_line(line)))

    def _on_ChangesShown(self, event: ui.ChangesShown) -> None:
        self._stop_tool()
        if not event.lines:
            self.console.print(Text(say(self.lang, "changes.none"), style="dim"))
            return
        intro = say(self.lang, "changes.after_drop" if event.after_drop else "changes.silent")
        self.console.print(Text(intro, style="dim"))
        for line in event.lines:
            self.console.print(Text("  • " + clean_line(said_in(self.lang, line))))

    def _on_ErrorShown(self, event: ui.ErrorShown) -> None:
        self._stop_tool()
        self._print_error(*event.say(self.lang))

    # -- export and upload ---------------------------------------------------------------------

    def _transfer_bars(self):
        from nemochat.ui.progress import TransferBars  # rich.progress only when something moves

        if getattr(self, "_bars", None) is None:
            self._bars = TransferBars(self.chrome, interactive=self.interactive)
        return self._bars

    def _on_TransferProgress(self, event: ui.TransferProgress) -> None:
        self._transfer_bars().show(self.transfer_in_lang(event))

    def transfer_in_lang(self, event: ui.TransferProgress) -> ui.TransferProgress:
        """"Rendering", "Downloading" in this view's language (an upload's label is its files' names)."""
        if self.lang == "en":
            return event
        return dataclasses.replace(event, label=say(self.lang, "transfer." + event.label, default=event.label))

    def _on_ExportDone(self, event: ui.ExportDone) -> None:
        if event.path:
            # soft_wrap: a path or URL stays one line, whatever the width (a script reads it)
            self.console.print(Text(say(self.lang, "export.saved"), style="bold green") + Text(clean_line(event.path), style="bold"), soft_wrap=True)
            self.chrome.print(Text(say(self.lang, "export.play"), style="dim"))
        elif event.url:
            url = clean_line(event.url)
            self.console.print(Text(say(self.lang, "export.rendered"), style="bold green") + Text(clean_line(url), style=link_style(url)), soft_wrap=True)

    def _on_UploadDone(self, event: ui.UploadDone) -> None:
        from rich.table import Table

        table = Table(show_edge=False, header_style="bold")
        for column in ("name", "type", "duration", "resolution"):
            table.add_column(say(self.lang, "upload." + column))
        for f in event.files:
            duration = f"{f.duration:g} s" if f.duration is not None else "–"
            size = f"{f.width}×{f.height}" if f.width and f.height else "–"
            table.add_row(Text(clean_line(f.filename)), Text(clean_line(f.file_type)), duration, size)
        self.console.print(table)
        if event.applied:
            self.console.print(Text(say(self.lang, "upload.added"), style="green"))
        else:
            self.chrome.print(Text(say(self.lang, "upload.unconfirmed"), style="yellow"))

    def _on_VideoReady(self, event: ui.VideoReady) -> None:
        lang = self.lang
        name = {"sora2": "Sora 2", "veo3.1": "Veo 3.1"}.get(event.provider) or (
            say(lang, "video.gateway") if event.provider == "gateway" else event.provider)
        shot = say(lang, "video.shot", shot=clean_line(event.shot_id)) if event.shot_id else ""
        task = clean_line(event.task_id or "")
        if event.status == "completed":
            cost = say(lang, "video.cost", credits=f"{event.credits_used:g}") if event.credits_used is not None else ""
            self.console.print(Text(say(lang, "video.ready", name=name, shot=shot, cost=cost), style="bold green"))
            if event.url:
                url = clean_line(event.url)
                self.console.print(Text("  URL: ", style="dim") + Text(clean_line(url), style=link_style(url)), soft_wrap=True)
            if event.path:
                self.console.print(Text(say(lang, "video.saved"), style="dim") + Text(clean_line(event.path), style="bold"), soft_wrap=True)
        elif event.status == "failed":
            self.console.print(Text(say(lang, "video.failed", name=name, shot=shot, task=task), style="red"))
        elif event.status == "unknown":
            self.console.print(Text(say(lang, "video.unknown", name=name, job=event.job_id), style="yellow"))
        else:
            self.console.print(Text(say(lang, "video.processing", name=name, shot=shot, task=task), style="cyan"), soft_wrap=True)

    def _on_PreviewShown(self, event: ui.PreviewShown) -> None:
        """The frames (escape sequences nemochat made from its own PNG, for
        this terminal), then the line about the file."""
        console = self.console if event.answer else self.chrome
        if event.drawing and console.is_terminal:  # (never image bytes into a file: `export 2> log`)
            console.file.write(event.drawing)
            console.file.flush()
        console.print(Text("▶ " + clean_line(event.line), style="dim"), soft_wrap=True)

    # -- the status line -----------------------------------------------------------------------

    def _stop_tool(self) -> None:
        if self._status is not None:
            self._status.stop()
        self._status = None
        self.tool = None
