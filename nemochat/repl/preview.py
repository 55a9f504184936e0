"""Previews in the REPL: when an export finishes (after the job's own line),
when a Sora/Veo/gateway video arrives, and on ``/preview [JOB|PATH]``.

Built in a worker thread; printed above the prompt like any other output,
but never in the middle of an answer: while one streams, the preview waits
for it to end. The terminal is asked what it draws (device attributes) at
most once, from inside the printer, where prompt_toolkit has let go of the
keyboard.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from nemochat.core import ui_events as ui
from nemochat.errors import UsageError
from nemochat.preview import show

if TYPE_CHECKING:
    from nemochat.repl.commands import ReplContext
    from nemochat.repl.live_view import LiveView
    from nemochat.repl.printer import Printer
    from nemochat.settings import Settings


class PreviewHost(Protocol):
    """What previews use of the loop (``loop.Repl``)."""

    settings: Settings
    printer: Printer
    view: LiveView

    def background(self, work: Coroutine[Any, Any, None]) -> None: ...  # a side task
    def answer_task(self) -> asyncio.Task[None] | None: ...  # the turn the agent answers, if any
    def changed(self) -> None: ...


def install(repl: PreviewHost) -> None:
    """Previews made in this REPL's tasks find their target here."""
    answer: list[asyncio.Future[tuple[int, ...] | None]] = []  # the terminal's, once asked

    async def target(settings: Any) -> show.Target:
        from nemochat.preview import detect

        needs_answer = (settings.preview == "auto" and settings.preview_query_timeout > 0 and not settings.no_color
                        and not os.environ.get("NO_COLOR") and detect.from_environment(os.environ) is None)
        if needs_answer and not answer:
            asked = asyncio.get_running_loop().create_future()
            answer.append(asked)

            def ask_now() -> None:  # (runs in the printer, in_terminal: prompt_toolkit reads no keys meanwhile)
                if asked.done():  # the REPL is closing: whoever waited is gone
                    return
                stdout = sys.__stdout__
                try:
                    attributes = detect.device_attributes(sys.stdin.fileno(), stdout.fileno(), settings.preview_query_timeout) if stdout is not None else None
                except (OSError, ValueError):  # (no real stdin: a pipe in tests)
                    attributes = None
                if not asked.done():
                    asked.set_result(attributes)

            repl.printer.then(ask_now)
        attributes = await answer[0] if needs_answer else None
        return show.terminal_target(settings, ask=lambda: attributes)

    show.repl_target.set(target)


def later(repl: PreviewHost, event: ui.UIEvent) -> None:
    """Print ``event`` (a preview, or the notice of why there is none) once no answer streams."""
    repl.background(_when_quiet(repl, event))


async def _when_quiet(repl: PreviewHost, event: ui.UIEvent) -> None:
    turn = repl.answer_task()
    if turn is not None and not turn.done():
        await asyncio.wait([turn])
    repl.printer.separate()
    if isinstance(event, ui.PreviewShown):
        repl.view._on_PreviewShown(event)
    elif isinstance(event, ui.Notice):  # why there is no preview
        repl.view._on_Notice(event)
    repl.printer.separate()
    repl.changed()


def after_export(repl: PreviewHost, path: str) -> None:
    """An export job finished with ``path`` on disk: its preview, in the background."""
    if repl.settings.preview == "off":
        return

    async def make() -> None:
        event = await show.make(path, await _target(repl.settings), lang=repl.settings.lang)
        later(repl, event)

    repl.background(make())


async def _target(settings: Settings) -> show.Target:
    source = show.repl_target.get()
    return await source(settings) if source is not None else show.terminal_target(settings)


async def cmd_preview(ctx: ReplContext, args: list[str]) -> None:
    """``/preview [JOB|PATH]``: the last video (an export or a provider's), a job's, or a file's."""
    if len(args) > 1:
        raise UsageError("/preview takes one job number or one path", action="Quote a path with spaces: /preview 'my clip.mp4'", key="usage.preview")
    path = _resolve(ctx, args[0] if args else None)
    event = await show.make(path, await _target(ctx.settings), answer=True, lang=ctx.settings.lang)
    # (typed while the agent answers, this command's output is held until the answer ends)
    if isinstance(event, ui.PreviewShown):
        ctx.view._on_PreviewShown(event)
    else:
        ctx.view._on_Notice(event)


def _resolve(ctx: ReplContext, word: str | None) -> str:
    if word is not None and (word.lstrip("#").isdigit() and not Path(word).exists()):
        job = next((j for j in ctx.jobs.all() if j.id == int(word.lstrip("#"))), None)
        if job is None:
            raise UsageError(f"No job #{word.lstrip('#')}", action="/jobs lists them.", key="usage.no_job", id=word.lstrip("#"))
        if not job.result or "://" in job.result:
            raise UsageError(f"Job #{job.id} has no file on disk to preview.", action="/jobs says how it went.", key="usage.no_file", id=job.id)
        return job.result
    if word is not None:
        return str(Path(word).expanduser())
    for job in sorted(ctx.jobs.all(), key=lambda j: -j.id):
        if job.status == "done" and job.result and "://" not in job.result and Path(job.result).is_file():
            return job.result
    from nemochat.app.last_video import last_video

    found = last_video(ctx.runtime.paths)
    if found is None:
        raise UsageError("No video to preview yet.", action="/export makes one; /preview PATH shows any file.", key="usage.no_video")
    return found
