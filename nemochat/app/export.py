"""Export: the session's draft → a render on the server → an MP4 on disk.

``export_video`` is the whole flow as one coroutine that prints nothing: it
reports through UI events (``Notice``, ``TransferProgress``, ``ExportDone``)
and returns an ``ExportResult`` or raises a typed error. The one-shot
command awaits it; the REPL can run it as a background task:

    task = asyncio.create_task(export_video(conversation, ExportOptions(output="a.mp4")))
    ...
    task.cancel()  # = Ctrl-C: asks confirm_cancel, then cancels the render or leaves it running

Polling follows protocol.md: first poll near 2 s, growing x1.5 to the 10-30 s
range, ``Retry-After`` honoured, a deadline (the render goes on; we say how
to fetch it later). A poll that gets no answer (timeout, 5xx) is asked again,
never taken for a failed render.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemochat.app.destination import check_destination, target_path
from nemochat.app.download import Source, download, same_origin
from nemochat.app.transfer_meter import Meter
from nemochat.clients.bounds import retry_wait
from nemochat.clients.http import build_download_client
from nemochat.clients.media import RUNNING, MediaClient, PollAgain, RenderNotFound, RenderStatus
from nemochat.core import cli_words, json_safe
from nemochat.core.draft import timeline_from_state
from nemochat.core.texts import say
from nemochat.core.ui_events import ExportDone, Notice, UIEvent
from nemochat.errors import BackendError, Interrupted, NemochatError, UsageError
from nemochat.settings import Settings

if TYPE_CHECKING:
    from nemochat.app.conversation import Conversation

Emit = Callable[[UIEvent], None]
ConfirmCancel = Callable[[str], Awaitable[bool]]
FillEmpty = Callable[[str], Awaitable[bool]]  # session id -> whether it put something on the empty timeline
CANCEL_QUESTION = say("en", "export.cancel_question")  # "Cancel the render on the server? [y/N]"


@dataclass(frozen=True)
class ExportOptions:
    output: str | None = None  # -o PATH: a file, or a folder for our name
    format: str = "mp4"
    quality: str = "high"
    force: bool = False  # replace an existing file
    render_id: str | None = None  # fetch this render instead of starting one


@dataclass(frozen=True)
class ExportResult:
    render_id: str
    status: str
    url: str | None
    path: str | None


class RenderFailed(BackendError):
    default_code = "render_failed"


class RenderTimedOut(BackendError):
    default_code = "render_timeout"


def fetch_later(render_id: str) -> str:
    return f"Fetch it later with: {cli_words.command('export')} --render-id {render_id}"


async def export_video(
    conversation: Conversation,
    options: ExportOptions = ExportOptions(),
    *,
    emit: Emit | None = None,
    confirm_cancel: ConfirmCancel | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Callable[[], float] | None = None,
    fill_empty: FillEmpty | None = None,
) -> ExportResult:
    """Render the session's draft (or fetch ``options.render_id``) and download it.
    ``fill_empty`` (the demo's sample clip) may fill an empty timeline first.

    Raises UsageError (nothing to render, a place the file cannot go, an
    unknown render id: exit 2), CreditsError (402, exit 4), RenderFailed /
    RenderTimedOut / BackendError (exit 5), Interrupted (130)."""
    emit = emit or conversation.emit
    clock = clock or asyncio.get_running_loop().time
    # Where the file goes is checked first: finding out after the render
    # would waste its time and credits.
    check_destination(options.output, conversation.settings.output_dir)
    media = MediaClient(conversation.nemo)
    job = RenderJob(getattr(conversation, "ledger", None))
    if options.render_id:
        session = await conversation.connect()
        title = await _title_or_none(conversation)
        # Written down only once the server knows the id: a typo leaves no job.
        attach = partial(job.attach, options.render_id, session.session_id)
        flow = _Flow(media, conversation.settings, emit, sleep, clock, confirm_cancel, job, unverified=attach)
        status = await flow.wait(RenderStatus(options.render_id, "pending", 0.0, None, None), first_now=True)
    else:
        flow = _Flow(media, conversation.settings, emit, sleep, clock, confirm_cancel, job)
        state = await conversation.session_call(conversation.nemo.state)  # a lost session becomes a new one
        session = await conversation.connect()
        timeline, draft = timeline_from_state(state), draft_from_state(state)
        if not timeline.exportable and fill_empty is not None and await fill_empty(session.session_id):
            state = await conversation.session_call(conversation.nemo.state)
            timeline, draft = timeline_from_state(state), draft_from_state(state)
        if not timeline.exportable or draft is None:
            raise UsageError(
                "Nothing to export yet: the project's timeline is empty.",
                action="Ask the agent for a video first (e.g. \"make a 10s clip of the sea\"), or upload one: nemochat upload FILE.",
                key="export.empty",
            )
        title = timeline.title
        job.create(session.session_id, {"format": options.format, "quality": options.quality, "output": options.output})
        try:
            status = await media.submit_render(session.session_id, draft, format=options.format, quality=options.quality)
        except NemochatError as refused:
            job.update(status="failed", error=refused.message)
            raise
        job.task(status.id)
        emit(Notice(say(conversation.settings.lang, "export.rendering", id=status.id), kind="working", stage="rendering"))
        status = await flow.wait(status, first_now=False)
    job.update(status=status.status, url=status.url)  # known even if the download fails
    path = await flow.fetch(status, options, title=title, session_id=session.session_id)
    job.update(local_file=str(path))
    result = ExportResult(status.id, status.status, status.url, str(path))
    emit(ExportDone(result.render_id, result.status, result.url, result.path))
    return result


def draft_from_state(state: Any) -> Any:
    """The raw draft inside a state answer (envelope, ``data``, ``state``), sent
    back to the renderer as the server gave it."""
    node = state
    for _ in range(5):
        if isinstance(node, str):
            try:
                node = json_safe.loads(node)
            except ValueError:  # (nested too deep too)
                return None
        if not isinstance(node, Mapping):
            return None
        if "t" in node or "tracks" in node:
            return dict(node)
        node = next((node[k] for k in ("draft", "state", "data") if node.get(k) is not None), None)
    return None


def poll_waits(settings: Settings) -> Iterator[float]:
    """The waits between status polls: ``--poll-interval`` fixed, else first,
    first x1.5, ... capped at ``export_max_poll``."""
    if settings.poll_interval is not None:
        while True:
            yield max(0.0, float(settings.poll_interval))
    wait = settings.export_first_poll
    while True:
        yield wait
        wait = min(wait * 1.5, settings.export_max_poll)


class _Flow:
    def __init__(
        self, media: MediaClient, settings: Settings, emit: Emit, sleep, clock, confirm: ConfirmCancel | None, job: RenderJob,
        *, unverified: Callable[[], None] | None = None,
    ) -> None:
        self.media, self.settings, self.emit = media, settings, emit
        self.sleep, self.clock, self.confirm = sleep, clock, confirm
        self.job = job
        # Given for a user's --render-id, until the server first answers for it:
        # called then (to write the job down); a 404 before is bad input.
        self.unverified = unverified

    # -- waiting for the render -----------------------------------------------------

    async def wait(self, status: RenderStatus, *, first_now: bool) -> RenderStatus:
        meter = Meter(self.emit, f"render:{status.id}", "Rendering", unit="%", clock=self.clock)
        try:
            try:
                status = await self._poll_until_done(status, meter, first_now)
            finally:
                meter.finish()  # the bar closes before any question
        except (asyncio.CancelledError, KeyboardInterrupt) as stop:
            if isinstance(stop, asyncio.CancelledError) and (task := asyncio.current_task()) is not None:
                task.uncancel()  # handled here: the question and the cancel below must still run
            raise await self._interrupted(status.id) from None
        if status.finished:
            self.job.update(status=status.status, error=status.reason)
        if status.status == "failed":
            raise RenderFailed(
                f"The render failed: {status.reason or 'no reason given'}",
                action="Try the export again; if it fails again, change the draft or try later.",
                key="export.failed", reason=status.reason or "-",
            )
        if status.status == "cancelled":
            raise RenderFailed(f"The render {status.id} was cancelled on the server.", code="render_cancelled", key="export.cancelled", id=status.id)
        return status

    async def _poll_until_done(self, status: RenderStatus, meter: Meter, first_now: bool) -> RenderStatus:
        started = self.clock()
        waits = poll_waits(self.settings)
        deadline = self.settings.export_deadline
        if self.unverified is None:  # no bar for an id that may not exist
            meter.update(status.progress, 100, force=True)
        wait = 0.0 if first_now else next(waits)
        while True:
            left = deadline - (self.clock() - started)
            if left <= 0:
                raise RenderTimedOut(
                    f"The render is still running after {_minutes(deadline)}; stopped waiting.",
                    action=f"It goes on on the server. {fetch_later(status.id)}",
                    key="export.still_running", seconds=f"{deadline:g}", command=cli_words.command("export"), id=status.id,
                )
            await self.sleep(min(wait, left))
            try:
                status = await self.media.render_status(status.id)
            except PollAgain as no_answer:
                wait = max(next(waits), self._server_wait(no_answer.retry_after, status.id))
                self.emit(Notice(f"{no_answer.message}; asking again in {wait:.0f} s.", kind="recovery", key="export.asking_again",
                                 values=(("wait", f"{wait:.0f}"),)))
                continue
            except RenderNotFound:
                if self.unverified is None:
                    raise  # it was known a moment ago: the server's trouble, not the user's
                raise UsageError(
                    f"NemoVideo knows no render {status.id}: check the id (nemochat jobs --kind render lists yours).",
                    code="render_not_found", key="export.no_render", id=status.id,
                ) from None
            if self.unverified is not None:
                self.unverified()
                self.unverified = None
            meter.update(status.progress, 100, force=True)
            if status.finished:
                return status
            if status.status not in RUNNING:
                self.emit(Notice(f"The render says '{status.status}'; still waiting.", kind="warning", key="export.odd_status",
                                 values=(("status", status.status),)))
            wait = max(next(waits), self._server_wait(status.retry_after, status.id))

    def _server_wait(self, retry_after: float | None, render_id: str) -> float:
        """The render's ``Retry-After``, within ``retry_after_max``: a longer one stops us waiting (the render goes on)."""
        s = self.settings
        return retry_wait(retry_after, default=0.0, longest=s.retry_after_max, what="Waiting for the render",
                          action=f"The render goes on on the server. {fetch_later(render_id)}")

    async def _interrupted(self, render_id: str) -> NemochatError:
        """Ctrl-C while rendering: cancel it on the server if the user says so,
        else leave it running and say how to fetch it."""
        wants_cancel = False
        if self.confirm is not None:
            try:
                wants_cancel = await self.confirm(say(self.settings.lang, "export.cancel_question"))
            except (KeyboardInterrupt, EOFError, asyncio.CancelledError):
                wants_cancel = False  # a second Ctrl-C: no
        if not wants_cancel:
            return Interrupted("Stopped waiting; the render goes on on the server.", action=fetch_later(render_id),
                               key="export.stopped_waiting", command=cli_words.command("export"), id=render_id)
        try:
            await self.media.cancel_render(render_id)
        except NemochatError as error:
            return Interrupted(f"Could not cancel the render: {error.message}", action=fetch_later(render_id),
                               key="export.cancel_failed", error=error, command=cli_words.command("export"), id=render_id)
        self.job.update(status="cancelled")
        return Interrupted(f"Render {render_id} cancelled on the server.", key="export.cancelled_now", id=render_id)

    # -- downloading ------------------------------------------------------------------------

    async def fetch(self, status: RenderStatus, options: ExportOptions, *, title: str | None, session_id: str) -> Path:
        target = target_path(
            output=options.output, output_dir=self.settings.output_dir, title=title,
            session_id=session_id, render_id=status.id, force=options.force,
        )
        api = self.media.nemo.http
        proxy = self.media.proxy_download_url(status.id)
        # The token only ever goes to the API's own host.
        auth = self.media.auth_headers() if same_origin(proxy, str(api.base_url)) else {}
        async with build_download_client(self.settings) as cdn:
            sources = [Source(proxy, api, auth, "NemoVideo's download link")]
            if status.url and status.url.lower().startswith(("https://", "http://")):
                sources.insert(0, Source(status.url, cdn, {}, "the output URL"))
            try:
                path, _ = await download(
                    sources, target, force=options.force, emit=self.emit, cdn=cdn,
                    resumes=self.settings.download_resumes, task=f"download:{status.id}", clock=self.clock,
                )
            except (asyncio.CancelledError, KeyboardInterrupt):
                if (task := asyncio.current_task()) is not None and task.cancelling():
                    task.uncancel()
                raise Interrupted(
                    "Download stopped; the video is rendered.",
                    action=f"Fetch it again with: {cli_words.command('export')} --render-id {status.id}",
                    key="export.download_stopped", command=cli_words.command("export"), id=status.id,
                ) from None
        return path


async def _title_or_none(conversation: Conversation) -> str | None:
    try:
        return (await conversation.read_timeline()).title
    except NemochatError:
        return None  # only used for the file name


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} s"


# -- the ledger: `nemochat jobs` lists renders, `nemochat open` finds the file ------------


class RenderJob:
    """This export as a "render" job in the ledger. Bookkeeping only: a ledger
    that cannot be written never stops an export."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.id: int | None = None

    def create(self, session_id: str, params: dict[str, Any]) -> None:
        # Written before the submit goes out, as every job is (see store.ledger).
        self._safe(lambda: setattr(self, "id", self.ledger.add_job("render", params, session_id=session_id)))

    def attach(self, render_id: str, session_id: str) -> None:
        def find_or_add() -> None:
            known = self.ledger.job_by_task(render_id)
            self.id = known.id if known else self.ledger.add_job("render", {"attached": True}, session_id=session_id)
            self.ledger.set_job_task(self.id, render_id)

        self._safe(find_or_add)

    def task(self, render_id: str) -> None:
        self._safe(lambda: self.ledger.set_job_task(self.id, render_id), needs_id=True)

    def update(self, **fields: Any) -> None:
        self._safe(lambda: self.ledger.update_job(self.id, **fields), needs_id=True)

    def _safe(self, write: Callable[[], Any], *, needs_id: bool = False) -> None:
        if self.ledger is None or (needs_id and self.id is None):
            return
        try:
            write()
        except Exception:  # sqlite3 errors, a locked or read-only file: the video matters more
            pass


def last_export(*ledger_files: Path) -> tuple[str | None, str | None] | None:
    """(local file, URL) of the newest render with either, in these ledgers."""
    from nemochat.store import Ledger

    newest: tuple[float, str | None, str | None] | None = None
    for path in ledger_files:
        if not path.is_file():
            continue  # opening would create an empty ledger
        with Ledger(path) as ledger:
            for job in ledger.jobs(kind="render", limit=20):
                if job.local_files or job.urls:
                    found = (job.updated, (job.local_files or (None,))[-1], (job.urls or (None,))[-1])
                    if newest is None or found[0] > newest[0]:
                        newest = found
                    break
    return newest[1:] if newest else None
