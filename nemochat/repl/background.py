"""Long work in the background: exports (and Sora/Veo/gateway videos) run as
jobs while the user keeps chatting.

``/export``, the typed "export"/"导出" intent and a yes to "Export the video
now?" all land in ``Background.export``; the flow itself is
``nemochat.app.export.export_video``. Inside a job, progress events move the
toolbar instead of printing lines; when the job ends one notice says how it
went, with the file's path (a clickable link) or its URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text

from nemochat.core import ui_events as ui
from nemochat.core.router import Intent
from nemochat.core.texts import say
from nemochat.errors import NemochatError
from nemochat.repl.jobs import Job
from nemochat.repl.live_view import link
from nemochat.repl.preview import PreviewHost
from nemochat.ui.honest_links import link_style
from nemochat.ui.status_lines import clock

if TYPE_CHECKING:
    from nemochat.app.conversation import Conversation, Session
    from nemochat.repl.jobs import JobManager

STAGE_CHARS = 20  # a longer stage would crowd the toolbar: "working" instead


class JobHost(PreviewHost, Protocol):
    """What the background jobs use of the loop (``loop.Repl``)."""

    jobs: JobManager
    lang: str

    @property
    def conversation(self) -> Conversation: ...  # (a job's body uses it once ``ensure_connected`` returned)
    def say(self, message: str, style: str = "") -> None: ...
    def show(self, renderable: Any) -> None: ...
    def fail(self, error: NemochatError) -> None: ...
    async def ensure_connected(self) -> Session: ...


class Background:
    def __init__(self, repl: JobHost) -> None:
        self.repl = repl
        from nemochat.repl import preview as previews  # (light: PyAV and Pillow load when a preview is made)

        self.previews = previews
        previews.install(repl)

    def start(self, kind: str, label: str, body: Callable[[Job], Awaitable[str | None]]) -> Job:
        job = self.repl.jobs.start(kind, label, body)
        self.repl.say(say(self.repl.lang, "job.started", label=job.title(self.repl.lang), id=job.id), "cyan")
        return job

    # -- export -----------------------------------------------------------------------------

    def export(self, output: str | None) -> None:
        repl = self.repl
        if any(job.kind == "export" for job in repl.jobs.running()):
            repl.say(say(repl.lang, "job.already"), "yellow")
            return
        try:
            from nemochat.app.destination import check_destination
            from nemochat.app.export import ExportOptions
        except ImportError:
            repl.say(say(repl.lang, "unavailable.export"), "yellow")
            return
        try:  # a place the file cannot go is one line now, not a failed job later
            check_destination(output, repl.settings.output_dir)
        except NemochatError as error:
            repl.fail(error)
            return

        async def body(job: Job) -> str | None:
            await repl.ensure_connected()

            async def cancel_on_server(question: str) -> bool:
                return job.cancel_on_server  # /jobs cancel: yes; leaving the chat leaves the render running

            # (the preview comes after the job's own line: ``finished``)
            result = await repl.conversation.export(ExportOptions(output=output), confirm_cancel=cancel_on_server, preview=False)
            return result.path or result.url

        self.start("export", "Export", body)

    async def export_intent(self, intent: Intent) -> None:
        """The conversation's "export" handler, in the REPL: start, don't wait."""
        self.export(intent.output)

    # -- what jobs say -------------------------------------------------------------------------

    def event(self, job: Job, event: ui.UIEvent) -> bool:
        """An event raised inside a job; True when it only moves the toolbar."""
        if isinstance(event, ui.TransferProgress):
            if event.unit == "%":
                job.update(progress=event.done, detail="rendering" if job.kind == "export" else "working")
            else:
                job.update(progress=(100.0 * event.done / event.total) if event.total else None, detail="downloading")
            self.repl.changed()
            return True
        if isinstance(event, ui.PreviewShown):  # a video arrived: its keyframes, never inside an answer
            self.previews.later(self.repl, event)
            return True
        if isinstance(event, ui.Notice) and event.kind == "working":
            # "still processing (generating)" every few seconds: the toolbar says the stage
            short = event.stage is not None and 0 < len(event.stage) <= STAGE_CHARS
            job.update(detail=event.stage if short else "working")
            self.repl.changed()
            return True
        if job.kind == "export" and isinstance(event, ui.ExportDone):
            return True  # the job's own notice says where the file is
        return False

    def finished(self, job: Job) -> None:
        repl = self.repl
        took = f" ({clock(job.elapsed)})"
        label = job.title(repl.lang)
        if job.status == "done":
            if job.result is None and job.kind != "export":
                return  # the job's own events said how it went
            line = Text(say(repl.lang, "job.finished", label=label, took=took), style="bold green")
            if job.result and "://" in job.result:
                line += Text(": ", style="bold green") + link(job.result, enabled=repl.view.links)
            elif job.result:
                path = Path(job.result).expanduser().resolve()
                line += Text(": ", style="bold green") + Text(str(path), style=link_style(path.as_uri(), "bold") if repl.view.links else "bold")
            repl.show(line)
            if job.kind == "export" and job.result and "://" not in job.result:
                repl.say(say(repl.lang, "job.play"), "dim")
                self.previews.after_export(repl, job.result)
        elif job.status == "cancelled":
            repl.say(say(repl.lang, "job.stopped", label=label, took=took) + (f" {job.said_error(repl.lang)}" if job.error else ""), "yellow")
            if job.detail and job.error:
                detail = job.failure.say(repl.lang)[1] if isinstance(job.failure, NemochatError) else job.detail
                repl.say("  " + detail, "dim")
        else:
            error, detail = job.error, job.detail
            if isinstance(job.failure, NemochatError):
                error, detail = job.failure.say(repl.lang)
            repl.say(say(repl.lang, "job.failed", label=label, error=error), "red")
            if detail:
                repl.say("  " + detail, "yellow")
        repl.printer.separate()
        repl.changed()
