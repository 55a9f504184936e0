"""What one use of a provider needs, opened and closed together: its API key
(resolved as NanoPhoto's scripts do), its HTTP client (one per base), the
ledger, the request budget and the job runner. Also the one policy for
asking before credits are spent.

    async with ProviderSession(settings, paths, emit, "sora2") as ps:
        await ps.jobs.submit(ps.job(request), policy=poll_policy("sora2", settings), follow=True)
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from nemochat.app import video_jobs
from nemochat.app.video_jobs import Emit, OnRaw, RequestBudget, VideoJobs
from nemochat.clients.bounds import call_deadline
from nemochat.clients.gateway import GatewayClient, GatewayJob, gateway_base
from nemochat.clients.http import build_client, redact
from nemochat.clients.nanophoto import DEMO_KEY, SORA_SKILL, VEO_SKILL, NanoPhotoClient, SoraJob, VeoJob, key_hint, resolve_api_key
from nemochat.core.ui_events import notice_of
from nemochat.errors import UsageError
from nemochat.settings import Settings

Confirm = Callable[[str], "bool | Awaitable[bool]"]


async def ask_to_spend(question: str, *, yes: bool, confirm: Confirm | None) -> bool | None:
    """True to go on, False when the user said no, None when nobody can be asked."""
    if yes:
        return True
    if confirm is None:
        return None
    answer = confirm(question)
    return bool(await answer if inspect.isawaitable(answer) else answer)


def open_ledger(paths: Any, warn: Callable[[str], None] | None = None) -> Any:
    """The ledger of these paths (``Paths.data / "ledger.db"``); with ``warn``,
    one in memory for this run if it cannot be used (said through ``warn``)."""
    from nemochat.store import Ledger
    from nemochat.store.ledger import open_or_scratch

    path = Path(paths.data) / "ledger.db"
    return Ledger(path) if warn is None else open_or_scratch(path, warn)


def reattach_command(job: Any) -> str | None:
    """The command that picks a ledger job up again, if it has a task to follow."""
    params = job.params or {}
    if not job.task_ids or params.get("via") == "chat":
        return None
    if job.kind == "sora2":
        return f"nemochat sora status --task-id {job.task_id} --follow"
    if job.kind == "veo3.1":
        pairs = json.dumps(_tasks_json(job.task_ids), separators=(",", ":"))
        return f"nemochat veo status --task-ids-json '{pairs}' --resolution {params.get('resolution', '720p')} --follow"
    if job.kind == "gateway":
        return f"nemochat gateway status --id {job.task_id} --follow"
    return None


def _tasks_json(task_ids: Any) -> list[dict[str, str]]:
    return [{"shotId": shot or "", "taskId": task} for task, shot in video_jobs._tasks("veo3.1", task_ids)]


def gateway_configured(settings: Settings) -> bool:
    return bool(settings.gateway_url)


class ProviderSession:
    def __init__(
        self,
        settings: Settings,
        paths: Any,
        emit: Emit,
        kind: str,
        *,
        api_key: str | None = None,
        on_raw: OnRaw | None = None,
        download: bool = True,
        query_path: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        ledger: Any = None,
    ) -> None:
        self.settings, self.paths, self.emit, self.kind = settings, paths, emit, kind
        self.api_key_flag, self.on_raw, self.download = api_key, on_raw, download
        self.query_path = query_path or settings.gateway_query_path
        self.sleep = sleep
        self.ledger, self._own_ledger = ledger, ledger is None  # the caller's ledger stays open
        self.http = self.client = self.jobs = None  # type: Any

    async def __aenter__(self) -> ProviderSession:
        s = self.settings
        budget = hint = None
        if self.kind == "gateway":
            if not s.gateway_url:
                raise UsageError("No video gateway is configured.", code="GATEWAY_URL", action="Set SORA_GATEWAY_URL (and SORA_GATEWAY_KEY).",
                                 key="gateway.none")
            key = s.gateway_key or (DEMO_KEY if s.demo else None)
            self.http = build_client(s, base_url=gateway_base(s.gateway_url), auth_headers=False)
            self.client = GatewayClient(self.http, key, query_path=self.query_path, deadline=call_deadline(s))
        else:
            skill = SORA_SKILL if self.kind == "sora2" else VEO_SKILL
            key = resolve_api_key(skill, flag=self.api_key_flag, settings_key=s.nanophoto_api_key, demo=s.demo)
            hint = key_hint(key)
            self.http = build_client(s, base_url=s.nanophoto_api_base, auth_headers=False)
            self.client = NanoPhotoClient(self.http, key, deadline=call_deadline(s))
        if s.debug:
            _log_requests(self.http, key)
        if self.ledger is None:
            self.ledger = open_ledger(self.paths, lambda m: self.emit(notice_of(m, "warning")))
        if hint is not None:
            budget = RequestBudget(self.ledger, hint, s.nanophoto_hourly_requests, self.emit, sleep=self.sleep)
        self.jobs = VideoJobs(self.ledger, s, self.emit, budget=budget, on_raw=self.on_raw, key_hint=hint,
                              sleep=self.sleep, download_videos=self.download)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.http is not None:
            await self.http.aclose()
        if self.ledger is not None and self._own_ledger:
            self.ledger.close()

    def job(self, request: Any = None, *, resolution: str = "720p") -> Any:
        """The provider's job adapter, for a new request or (None) a re-attach."""
        if self.kind == "sora2":
            return SoraJob(self.client, request)
        if self.kind == "veo3.1":
            return VeoJob(self.client, request, resolution=resolution)
        return GatewayJob(self.client, request)


def _log_requests(http: Any, key: str | None) -> None:
    async def log(request: Any) -> None:
        print(redact(f"→ {request.method} {request.url}", key), file=sys.stderr)

    http.event_hooks["request"].append(log)
