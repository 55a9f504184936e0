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

import dataclasses
import time
from typing import TYPE_CHECKING

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
from nemochat.ui.honest_links import link_style
from nemochat.ui.markdown_stream import BlockSplitter
from nemochat.ui.markdown_render import MARKDOWN_LIMIT, markdown_block, thought_renderable
from nemochat.ui.consoles import PipeConsole
from nemochat.ui.status_lines import ToolLine, error_lines

if TYPE_CHECKING:
    from rich.status import Status


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
