"""Background jobs: long work (an export render, later a Sora/Veo generation)
that runs while the user keeps chatting.

A job is an asyncio task with a number, a label, a progress the toolbar
shows, and a result (a file path or a URL) announced when it ends. Code that
runs inside a job can find it with ``current_job.get()``: the view uses that
to turn the job's progress events into toolbar updates instead of lines.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from nemochat.core.texts import say
from nemochat.repl.printer import held_output

JobStatus = Literal["running", "done", "failed", "cancelled"]

current_job: contextvars.ContextVar[Job | None] = contextvars.ContextVar("nemochat_current_job", default=None)


@dataclass
class Job:
    id: int
    kind: str  # "export", "sora", ...
    label: str  # what the user reads: "Export", "Sora video"
    started: float = field(default_factory=time.monotonic)
    status: JobStatus = "running"
    progress: float | None = None  # 0-100 when known
    detail: str = ""  # the current stage: "rendering", "downloading"
    result: str | None = None  # a file path or URL
    error: str | None = None
    failure: object = None  # the NemochatError it failed with (its words in the user's language)
    finished: float | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    stop_requested: bool = False
    cancel_on_server: bool = False  # /jobs cancel: the render is cancelled there too, not just left running

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def describe(self, lang: str = "en") -> str:
        """For a sentence: "Export (68%)", "Export (downloading)"."""
        label, detail = (self.label, self.detail) if lang == "en" else (self.title(lang), self.stage(lang))
        if self.progress is not None:
            return f"{label} ({self.progress:.0f}%)"
        return f"{label} ({detail})" if detail else label

    def short(self, lang: str = "en") -> str:
        """For the toolbar: "export 68%", "export rendering"."""
        name, detail = (self.kind, self.detail) if lang == "en" else (self.title(lang), self.stage(lang))
        if self.progress is not None:
            return f"{name} {self.progress:.0f}%"
        return f"{name} {detail}".strip() if detail else f"{name}…"

    def stage(self, lang: str) -> str:
        """What it is doing, in ``lang``: "rendering", "渲染中"."""
        return say(lang, "job.stage." + self.detail, default=self.detail) if self.detail else ""

    def title(self, lang: str = "en") -> str:
        """The job's label in ``lang``: "Export", "导出"."""
        return say(lang, "job." + self.kind, default=self.label)

    def line(self, lang: str = "en") -> str:
        """For /jobs, one line: "#2 Export · rendering 34% · 0:12",
        "#1 Export · done in 0:08 · /home/me/rainy-Tokyo-7bd1ad9f.mp4"."""
        took = f"{int(self.elapsed) // 60}:{int(self.elapsed) % 60:02d}"
        label = self.title(lang)
        if self.running:
            percent = f"{self.progress:.0f}%" if self.progress is not None else ""
            stage = say(lang, "job.stage." + (self.detail or "starting"), default=self.detail)
            doing = " ".join(part for part in (stage, percent) if part)
            return say(lang, "job.line", id=self.id, label=label, doing=doing, took=took)
        outcome = self.result if self.status == "done" else self.said_error(lang)
        line = say(lang, "job.line_" + self.status, id=self.id, label=label, took=took)
        return line + (f" · {outcome}" if outcome else "")

    def said_error(self, lang: str = "en") -> str | None:
        """Why it failed or stopped, in ``lang`` (its error's catalogue line when it has one)."""
        said = getattr(self.failure, "say", None)
        return said(lang)[0] if said is not None and self.error else self.error

    def update(self, *, progress: float | None = None, detail: str | None = None) -> None:
        if progress is not None:
            self.progress = max(0.0, min(100.0, float(progress)))
        if detail is not None:
            self.detail = detail


JobBody = Callable[[Job], Awaitable[str | None]]


class JobManager:
    def __init__(
        self,
        *,
        on_finish: Callable[[Job], None] = lambda job: None,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._jobs: list[Job] = []
        self._on_finish = on_finish
        self._on_change = on_change

    def start(self, kind: str, label: str, body: JobBody) -> Job:
        job = Job(len(self._jobs) + 1, kind, label)
        self._jobs.append(job)
        context = contextvars.copy_context()
        context.run(current_job.set, job)
        context.run(held_output.set, None)  # a job started by a held command prints as usual
        job.task = asyncio.get_running_loop().create_task(self._run(job, body), name=f"job-{job.id}-{kind}", context=context)
        self._on_change()
        return job

    async def _run(self, job: Job, body: JobBody) -> None:
        try:
            job.result = await body(job)
            job.status = "done"
            job.progress = 100.0 if job.progress is not None else None
        except asyncio.CancelledError:
            job.status = "cancelled"
        except Exception as exc:  # shown to the user by on_finish, as one line
            job.status = "cancelled" if job.stop_requested else "failed"
            job.error = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            job.detail = getattr(exc, "action", "") or ""
            job.failure = exc
        finally:
            job.finished = time.monotonic()
            self._on_change()
        self._on_finish(job)

    # -- reading ------------------------------------------------------------------

    def all(self) -> list[Job]:
        return list(self._jobs)

    def running(self) -> list[Job]:
        return [job for job in self._jobs if job.running]

    def get(self, job_id: int) -> Job | None:
        return next((job for job in self._jobs if job.id == job_id), None)

    def summary(self, lang: str = "en") -> str:
        return ", ".join(job.short(lang) for job in self.running())

    # -- stopping -------------------------------------------------------------------

    async def cancel(self, job: Job) -> None:
        if job.task is not None and not job.task.done():
            job.stop_requested = True
            job.task.cancel()
            await asyncio.gather(job.task, return_exceptions=True)

    async def cancel_all(self) -> None:
        for job in self.running():
            await self.cancel(job)
