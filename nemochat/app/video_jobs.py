"""Provider video jobs (Sora 2, Veo 3.1, gateway) that survive everything.

- The job is written to the ledger BEFORE the paid submit, its task id
  right after: a crash at any point leaves a trace to re-attach to
  (``nemochat sora status``) or to reconcile.
- A submit whose answer was lost (timeout, dropped connection) is never sent
  again: the job becomes "unknown" and the user is told how to check. Only a
  refusal (429) is retried, after ``Retry-After``.
- While polling, no answer (transport error, 5xx) means "ask again later",
  never "failed"; a 429 waits ``Retry-After``.
- Every NanoPhoto request passes the budget (app.polling: 100 per hour per
  API key, counted in the ledger across jobs and processes).
- Re-attaching by a task id the ledger has never seen writes a job down
  only once the provider answered for it; an id it does not know is bad
  input (exit 2) and leaves no job behind.
- The finished video is downloaded (app.download: ``.part``, resume, atomic
  rename, never overwriting) into the output folder.

Nothing here prints: it reports through UI events and, for ``--json-only``,
the providers' raw answers (``on_raw(stage, answer)``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from nemochat.app.destination import free_path
from nemochat.app.download import Source, download
from nemochat.app.polling import WINDOW, Budget, NoBudget, PollPolicy, RequestBudget, poll_policy  # noqa: F401 (their old home)
from nemochat.clients.bounds import retry_wait
from nemochat.clients.nanophoto import AmbiguousSubmit, TaskNotFound, TaskStatus
from nemochat.core.durations import spoken
from nemochat.core.sanitize import clean_line, safe_filename
from nemochat.core.texts import Said
from nemochat.core.ui_events import MessageDelta, Message, Notice, UIEvent, VideoReady
from nemochat.errors import AuthError, BackendError, CreditsError, NemochatError, RateLimited, UsageError
from nemochat.settings import Settings

Emit = Callable[[UIEvent], None]
OnRaw = Callable[[str, Any], None]
LABELS = {"sora2": "Sora 2", "veo3.1": "Veo 3.1", "gateway": "The video gateway"}
# Where a user checks their tasks: NanoPhoto's words never go with a gateway's job.
TASK_LISTS = {"sora2": "NanoPhoto's dashboard (https://nanophoto.ai)", "veo3.1": "NanoPhoto's dashboard (https://nanophoto.ai)",
              "gateway": "your gateway's task list"}


def _where(kind: str) -> str:
    """Which words an error names the provider's task list in: the gateway's or NanoPhoto's."""
    return "gateway" if kind == "gateway" else "nanophoto"


RETRY_HINTS = {"sora2": "NanoPhoto refunds failed runs. Try again, maybe with a simpler prompt.",
               "veo3.1": "NanoPhoto refunds failed runs. Try again, maybe with a simpler prompt.",
               "gateway": "Try again, maybe with a simpler prompt (your gateway says whether failed runs are charged)."}
SUBMIT_ATTEMPTS = 3  # a refused (429) submit is safe to send again; nothing else is


# -- the providers, as jobs ----------------------------------------------------------------------


class FinishedJob(Protocol):
    """What finishing a job needs of where it ran: a provider, or the chat (_ChatJob)."""

    kind: str

    def reattach(self, task_ids: Any) -> str: ...


class Provider(FinishedJob, Protocol):
    def params(self) -> dict[str, Any]: ...
    async def submit(self) -> Any: ...
    def task_ids(self, answer: Any) -> Any: ...
    async def status(self, task_ids: Any) -> tuple[TaskStatus, Any]: ...


@dataclass
class JobOutcome:
    job_id: int
    kind: str
    status: str  # processing, completed, failed, unknown
    task_ids: Any = None
    result: TaskStatus | None = None
    files: list[Path | None] = field(default_factory=list)  # per part; None: not downloaded


class VideoJobs:
    """Submit, poll, re-attach and download provider jobs, with the ledger as memory."""

    def __init__(
        self,
        ledger: Any,
        settings: Settings,
        emit: Emit,
        *,
        budget: Budget | None = None,
        on_raw: OnRaw | None = None,
        key_hint: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        cdn: httpx.AsyncClient | None = None,
        download_videos: bool = True,
    ) -> None:
        self.ledger, self.settings, self.emit = ledger, settings, emit
        self.budget = budget or NoBudget()
        self.on_raw = on_raw or (lambda stage, answer: None)
        self.key_hint = key_hint
        self.sleep, self.clock = sleep, clock
        self.cdn = cdn
        self.download_videos = download_videos
        self._lost: BackendError | None = None  # why the last status request got no answer

    # -- submit ----------------------------------------------------------------------------

    async def submit(self, provider: Provider, *, policy: PollPolicy, follow: bool, session_id: str | None = None) -> JobOutcome:
        job_id = self.ledger.add_job(provider.kind, provider.params(), session_id=session_id, api_key_hint=self.key_hint)
        answer = await self._send_submit(job_id, provider)
        try:
            task_ids = provider.task_ids(answer)
        except BackendError as bad:  # no usable task id (none, or one we refuse to store): paid, maybe, but not followable
            self.ledger.update_job(job_id, status="unknown", error=bad.message)
            raise BackendError(f"{bad.message}. The video may have been created (and billed); nemochat cannot follow it",
                               code=bad.code, action="Check your gateway's dashboard for it." if provider.kind == "gateway"
                               else "Check NanoPhoto's dashboard for it.",
                               key="video.unfollowable." + _where(provider.kind), error=bad) from None
        self.ledger.set_job_task(job_id, task_ids)
        self.on_raw("submitted", answer)
        outcome = JobOutcome(job_id, provider.kind, "processing", task_ids)
        for task_id, shot_id in _tasks(provider.kind, task_ids):
            self.emit(VideoReady(provider.kind, task_id, "processing", shot_id=shot_id, job_id=job_id))
        if not follow:
            self.emit(Notice(f"Submitted. Follow it with: {provider.reattach(task_ids)}", key="video.submitted",
                             values=(("command", provider.reattach(task_ids)),)))
            return outcome
        return await self.follow(job_id, provider, task_ids, policy)

    async def _send_submit(self, job_id: int, provider: Provider) -> Any:
        label = LABELS[provider.kind]
        for attempt in range(1, SUBMIT_ATTEMPTS + 1):
            await self.budget.spend()
            try:
                return await provider.submit()
            except RateLimited as refused:  # refused, so nothing was created: safe to send again
                if attempt == SUBMIT_ATTEMPTS:
                    self.ledger.update_job(job_id, status="failed", error=refused.message)
                    raise
                try:
                    await self._wait_retry_after(refused, label)
                except RateLimited as too_long:  # a wait we do not make: nothing was created
                    self.ledger.update_job(job_id, status="failed", error=too_long.message)
                    raise
            except AmbiguousSubmit as lost:
                self.ledger.update_job(job_id, status="unknown", error=lost.message)
                self.emit(VideoReady(provider.kind, None, "unknown", job_id=job_id))
                raise AmbiguousSubmit(
                    f"{lost.message}. It was NOT sent again, so you pay at most once.",
                    action=f"Check {TASK_LISTS[provider.kind]} before submitting again; "
                    f"`nemochat jobs` lists it as job {job_id} (status unknown).",
                    key="video.submit_lost." + _where(provider.kind), error=lost, job=job_id,
                ) from None
            except NemochatError as refused:
                self.ledger.update_job(job_id, status="failed", error=refused.message)
                raise
        raise AssertionError("unreachable")

    # -- re-attach -----------------------------------------------------------------------------

    async def attach(self, provider: Provider, task_ids: Any, *, policy: PollPolicy, follow: bool) -> JobOutcome:
        """Pick up a job by its task id(s), known to the ledger or not. An id the
        ledger has never seen is written down only once the provider has
        answered for it: a mistyped id leaves no job behind."""
        label = LABELS[provider.kind]
        known = self.ledger.job_by_task(next(iter(_tasks(provider.kind, task_ids)))[0])
        job_id = known.id if known else None
        deadline = self.clock() + policy.max_wait
        while True:
            try:
                status, retry_after = await self._check(job_id, provider, task_ids, stage="progress" if follow else "status")
            except TaskNotFound:
                raise self._not_found(known, provider, task_ids) from None
            if status is not None or not follow or self.clock() >= deadline:
                break
            wait = retry_after if retry_after is not None else self.budget.stretch(policy.interval)
            await self.sleep(max(0.0, min(wait, deadline - self.clock())))
        if status is None:
            lost = self._lost
            raise BackendError(f"{clean_line(lost.message) if lost else label + ' did not answer'}; the task is unaffected.",
                               code=lost.code if lost else "network",
                               action=f"{lost.action + ' ' if lost and lost.action else ''}Try again: {provider.reattach(task_ids)}",
                               key="video.no_answer" if lost else "video.silent", error=lost or label, command=provider.reattach(task_ids))
        if job_id is None:
            job_id = self.ledger.add_job(provider.kind, {**provider.params(), "attached": True}, api_key_hint=self.key_hint)
            self.ledger.set_job_task(job_id, task_ids)
        if status.done:
            return await self._finish(job_id, provider, task_ids, status)
        self.ledger.update_job(job_id, status="processing")
        self._show_progress(provider.kind, status)
        if follow:  # just asked: the next check after one interval
            rest = PollPolicy(policy.interval, policy.interval, max(0.0, deadline - self.clock()))
            return await self.follow(job_id, provider, task_ids, rest)
        for task_id, shot_id in _tasks(provider.kind, task_ids):
            self.emit(VideoReady(provider.kind, task_id, "processing", shot_id=shot_id, job_id=job_id))
        self.emit(Notice(f"Follow it with: {provider.reattach(task_ids)}", key="video.follow", values=(("command", provider.reattach(task_ids)),)))
        return JobOutcome(job_id, provider.kind, "processing", task_ids, status)

    def _not_found(self, known: Any, provider: Provider, task_ids: Any) -> UsageError:
        """The provider knows no such task: bad input (exit 2), one line naming
        the id. A ledger job of this same NanoPhoto key is closed as expired
        (NanoPhoto answers per key, so the task is gone); a gateway's 404 may
        be a wrong --query-path, so its job is left as it was."""
        label, ids = LABELS[provider.kind], [task for task, _ in _tasks(provider.kind, task_ids)]
        what = f"{label} knows no task {ids[0]}" if len(ids) == 1 else f"{label} does not know one of the tasks {', '.join(ids)}"
        hint = "check --id and the gateway's --query-path" if provider.kind == "gateway" else "check the id; it must belong to the API key in use"
        # The ledger keeps only the end of a key's hint: the same key ends alike.
        same_key = bool(known and known.api_key_hint and self.key_hint and self.key_hint.endswith(known.api_key_hint))
        if same_key and provider.kind != "gateway":
            self.ledger.update_job(known.id, status="expired", error=f"{label} no longer knows it")
        return TaskNotFound(f"{what}: {hint} (nemochat jobs --kind {provider.kind} lists yours).", key="video.no_task." + _where(provider.kind),
                            who=label, ids=", ".join(ids), kind=provider.kind)

    # -- follow ---------------------------------------------------------------------------------

    async def follow(self, job_id: int, provider: Provider, task_ids: Any, policy: PollPolicy) -> JobOutcome:
        label = LABELS[provider.kind]
        deadline = self.clock() + policy.max_wait
        wait = policy.initial_delay
        if wait >= 60:
            self.emit(Notice(f"{label} usually takes a few minutes; first check in {wait:.0f} s.", kind="working",
                             key="video.takes_minutes", values=(("label", label), ("wait", f"{wait:.0f}"))))
        while True:
            await self.sleep(max(0.0, min(wait, deadline - self.clock())))
            status, retry_after = await self._check(job_id, provider, task_ids, stage="progress")
            if status is not None and status.done:
                return await self._finish(job_id, provider, task_ids, status)
            if status is not None:
                self._show_progress(provider.kind, status)
            if self.clock() >= deadline:
                raise BackendError(
                    f"{label} is still working after {spoken(policy.max_wait)}; stopped waiting (the task goes on).",
                    code="timeout",
                    action=f"Check later: {provider.reattach(task_ids)}",
                    key="video.timeout", who=label, took=spoken(policy.max_wait), command=provider.reattach(task_ids),
                )
            wait = retry_after if retry_after is not None else self.budget.stretch(policy.interval)

    async def _check(self, job_id: int | None, provider: Provider, task_ids: Any, *, stage: str) -> tuple[TaskStatus | None, float | None]:
        """One status request: the status, or None when it got no usable answer
        (ask again later), and the wait the server asked for, if any."""
        await self.budget.spend()
        try:
            status, answer = await provider.status(task_ids)
        except RateLimited as limited:
            wait = retry_wait(limited.retry_after, default=self.settings.retry_after_default, longest=self.settings.retry_after_max,
                              what=limited.message, action=f"The task goes on; check it with: {provider.reattach(task_ids)}.")
            self.emit(Notice(f"{LABELS[provider.kind]} asked us to slow down; next check in {wait:.0f} s.", kind="recovery",
                             key="video.slow_down", values=(("label", LABELS[provider.kind]), ("wait", f"{wait:.0f}"))))
            return None, wait
        except (UsageError, AuthError, CreditsError):
            raise
        except BackendError as lost:  # no answer, or a 5xx: the task is not failed, we just don't know yet
            self._lost = lost  # its hint (which setting to check) is shown if no answer ever comes
            self.emit(Notice(f"{clean_line(lost.message)}; asking again.", kind="recovery", key="video.asking_again",
                             values=(("error", clean_line(lost.say(self.settings.lang)[0])),)))
            return None, None
        self.on_raw("status" if status.done else stage, answer)
        if not status.done and job_id is not None:  # None: an id not yet known to be real
            self.ledger.update_job(job_id, status="processing")
        return status, None

    def _show_progress(self, kind: str, status: TaskStatus) -> None:
        stage = clean_line(status.progress) if status.progress else None
        detail = f" ({stage})" if stage else ""
        # (a Veo job's progress is ours, "1/2 shots done"; a provider's own, "45%", is as it came)
        shown = Said.of("video.shots_done", done=sum(s.state == "completed" for s in status.shots), total=len(status.shots)) if status.shots else stage
        self.emit(Notice(f"{LABELS[kind]}: still processing{detail}.", kind="working", stage=stage,
                         key="video.still_processing", values=(("label", LABELS[kind]), ("detail", Said.of("video.detail", stage=shown) if stage else ""))))

    async def _wait_retry_after(self, limited: RateLimited, label: str) -> None:
        wait = retry_wait(limited.retry_after, default=self.settings.retry_after_default, longest=self.settings.retry_after_max,
                          what=limited.message, action="Nothing was created, nothing spent.")
        self.emit(Notice(f"{label} asked us to slow down; trying again in {wait:.0f} s.", kind="recovery", key="video.retrying",
                         values=(("label", label), ("wait", f"{wait:.0f}"))))
        await self.sleep(wait)

    # -- the end -------------------------------------------------------------------------------------

    async def _finish(self, job_id: int, provider: FinishedJob, task_ids: Any, status: TaskStatus) -> JobOutcome:
        parts = status.shots or (status,)
        for url in (p.url for p in parts if p.url):
            self.ledger.update_job(job_id, url=url)
        if status.state == "completed" and not any(p.url for p in parts):  # "done", but no URL (or not one): nothing to show
            self.ledger.update_job(job_id, status="completed", error="the answer had no video URL")
            raise BackendError(f"{LABELS[provider.kind]} says the video is done but sent no video URL", code="no_video_url",
                               action=f"Check it again later: {provider.reattach(task_ids)}",
                               key="video.no_url", who=LABELS[provider.kind], command=provider.reattach(task_ids))
        outcome = JobOutcome(job_id, provider.kind, status.state, task_ids, status)
        lost: NemochatError | None = None
        if self.download_videos:  # every finished part, even when another shot failed
            outcome.files, lost = await self._download_all(job_id, provider.kind, parts)
        self.ledger.update_job(job_id, status=status.state, error=status.error, credits_used=status.credits_used)
        for n, part in enumerate(parts):
            path = str(outcome.files[n]) if n < len(outcome.files) and outcome.files[n] else None
            used = part.credits_used if status.shots else status.credits_used
            self.emit(VideoReady(provider.kind, part.task_id, part.state, part.url, used, path, part.shot_id, job_id))
            if path is not None and part.state == "completed":
                from nemochat.preview.show import after_download  # (PyAV and Pillow load only when a preview is made) the keyframes of what arrived

                await after_download(path, self.emit, self.settings)
        if status.state == "failed":
            raise BackendError(
                f"{LABELS[provider.kind]} could not make the video: {clean_line(status.error or 'generation failed')}",
                code=status.error_code or "GENERATION_FAILED",
                action=RETRY_HINTS[provider.kind],
                key="video.not_made." + _where(provider.kind), who=LABELS[provider.kind], error=clean_line(status.error or "generation failed"),
            )
        if lost is not None:
            raise BackendError(f"The video is ready, but downloading it failed: {lost.message}", code="download",
                               action=f"Open its URL above, or try again: {provider.reattach(task_ids)}",
                               key="video.download_failed", error=lost, command=provider.reattach(task_ids))
        return outcome

    async def _download_all(self, job_id: int, kind: str, parts: tuple[TaskStatus, ...]) -> tuple[list[Path | None], NemochatError | None]:
        """Each finished part's file (None where there is none), and the first download error."""
        job = self.ledger.job(job_id)
        have = [Path(f) for f in (job.local_files if job else ()) if Path(f).is_file()]
        files: list[Path | None] = []
        lost: NemochatError | None = None
        for part in parts:
            if part.state != "completed" or not part.url:
                files.append(None)
                continue
            name = safe_filename(f"{kind}-{part.shot_id + '-' if part.shot_id else ''}{part.task_id}.mp4", max_length=120)
            existing = next((p for p in have if p.name.startswith(name.removesuffix(".mp4"))), None)
            try:
                files.append(existing or await self._download(job_id, part.url, name))
            except NemochatError as error:
                files.append(None)
                lost = lost or error
        return files, lost

    async def _download(self, job_id: int, url: str, name: str) -> Path:
        folder = Path(self.settings.output_dir).expanduser().resolve()
        target = folder / name
        if target.resolve().parent != folder.resolve():
            raise UsageError(f"refusing to write outside {folder}: {name}", key="download.outside", folder=folder, name=name)
        cdn = self.cdn
        if cdn is None:
            from nemochat.clients.http import build_download_client

            cdn = build_download_client(self.settings)
        try:
            path, _ = await download([Source(url, cdn, name="the video URL")], free_path(target), force=False,
                                     emit=self.emit, cdn=cdn, task=f"download:{job_id}")
        finally:
            if self.cdn is None:
                await cdn.aclose()
        self.ledger.update_job(job_id, local_file=str(path))
        return path

    # -- the gateway's chat path: one streamed answer, no task id --------------------------------

    async def chat(self, client: Any, prompt: str, model: str, *, session_id: str | None = None) -> JobOutcome:
        from nemochat.clients.gateway import url_in_text

        job_id = self.ledger.add_job("gateway", {"via": "chat", "model": model, "prompt": prompt}, session_id=session_id, api_key_hint=self.key_hint)
        index = 10_000 + job_id  # its own message stream, apart from the agent's

        def piece(text: str) -> None:
            self.emit(MessageDelta(index, text))
            self.on_raw("progress", {"content": text})

        try:
            content = await client.chat(prompt, model, piece)
        except AmbiguousSubmit as lost:
            self.ledger.update_job(job_id, status="unknown", error=lost.message)
            raise AmbiguousSubmit(f"{lost.message}. It was NOT sent again.", action="Check your gateway's task list before trying again.",
                                  key="video.chat_lost", error=lost) from None
        except NemochatError as refused:
            self.ledger.update_job(job_id, status="failed", error=refused.message)
            raise
        self.emit(Message(index, content))
        url = url_in_text(content)
        self.on_raw("status", {"content": content, "videoUrl": url})
        status = TaskStatus("completed" if url else "failed", f"chat-{job_id}", url=url,
                            error=None if url else "the answer had no video URL", error_code=None if url else "no_video_url")
        self.ledger.set_job_task(job_id, status.task_id)
        return await self._finish(job_id, _ChatJob(), status.task_id, status)


class _ChatJob:
    kind = "gateway"

    def reattach(self, task_ids: Any) -> str:
        return "nemochat jobs"


def _tasks(kind: str, task_ids: Any) -> list[tuple[str, str | None]]:
    """(task id, shot id) pairs of what a submit answered."""
    if isinstance(task_ids, dict) and isinstance(task_ids.get("shots"), list):
        return [(str(p["taskId"]), str(p.get("shotId"))) for p in task_ids["shots"]]
    if isinstance(task_ids, list):
        return [(str(p["taskId"]), str(p.get("shotId"))) for p in task_ids]
    return [(str(task_ids), None)]
