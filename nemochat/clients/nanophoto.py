"""NanoPhoto's Sora 2 and Veo 3.1 APIs (protocol.md sections 2 and 3).

One call per method, no retries and no waiting: the job runner
(app.video_jobs) owns those policies. What lives here: the requests exactly
as NanoPhoto documents them, the API key resolved as NanoPhoto's own scripts
do, every error code mapped to a typed error, and a paid submit whose answer
was lost in transit reported as ``AmbiguousSubmit`` (never "failed": the task
may be running and billed).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from nemochat import __version__
from nemochat.clients.bounds import JSON_ANSWER_MAX_BYTES, bounded_request
from nemochat.clients.ids import checked_id
from nemochat.clients.http import body_of, network_error, parse_retry_after
from nemochat.core.secrets import remember
from nemochat.core.video_rules import SoraRequest, VeoRequest
from nemochat.errors import AuthError, BackendError, CreditsError, NemochatError, NetworkError, RateLimited, UsageError

SORA_SKILL = "sora-2-generate"
VEO_SKILL = "veo-3-1"
DEMO_KEY = "demo-key"  # what `--demo` uses: the simulator knows it, no real key leaves the machine
KEYS_PAGE = "https://nanophoto.ai/settings/apikeys"


class AmbiguousSubmit(BackendError):
    """A paid request went out and its answer never came back: the task may
    exist and be billed. Reconcile; never resend."""

    default_code = "submit_unknown"


class TaskNotFound(UsageError):
    default_code = "TASK_NOT_FOUND"


# -- credentials --------------------------------------------------------------------------


def resolve_api_key(
    skill: str,
    *,
    flag: str | None,
    settings_key: str | None,
    demo: bool = False,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> str:
    """``--api-key``, then ``NANOPHOTO_API_KEY``, then ``~/.openclaw/openclaw.json``
    at ``skills.entries.<skill>.env.NANOPHOTO_API_KEY``, then nemochat's own
    settings. With ``--demo`` only the flag or the demo key: real keys never
    go to the simulator."""
    env = os.environ if env is None else env
    if flag:
        return flag
    if demo:
        return DEMO_KEY
    key = env.get("NANOPHOTO_API_KEY") or openclaw_key(skill, home) or settings_key
    if not key:
        raise AuthError(
            "No NanoPhoto API key.",
            code="LOGIN_REQUIRED",
            action=f"Get one at {KEYS_PAGE}, then pass --api-key or set NANOPHOTO_API_KEY.",
            key="nanophoto.no_key", page=KEYS_PAGE,
        )
    return key


def openclaw_key(skill: str, home: Path | None = None) -> str | None:
    path = (home or Path.home()) / ".openclaw" / "openclaw.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = data["skills"]["entries"][skill]["env"]["NANOPHOTO_API_KEY"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return key if isinstance(key, str) and key.strip() else None


def key_hint(key: str) -> str:
    """A stable, non-reversible name for a key (the ledger counts requests by it)."""
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:12]


# -- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskStatus:
    """One status answer, normalized. ``state``: processing, completed or failed."""

    state: str
    task_id: str
    url: str | None = None
    progress: str | None = None
    credits_used: int | None = None
    error: str | None = None
    error_code: str | None = None
    shots: tuple[TaskStatus, ...] = ()  # Veo: one per shot (task_id is the shot's)
    shot_id: str | None = None

    @property
    def done(self) -> bool:
        return self.state in ("completed", "failed")


_DONE = {"completed", "complete", "succeeded", "success", "done", "finished"}
_FAILED = {"failed", "failure", "error", "cancelled", "canceled", "expired"}


def normalize_state(raw: Any) -> str:
    value = str(raw or "").lower()
    return "completed" if value in _DONE else "failed" if value in _FAILED else "processing"


def sora_task_id(raw: Any) -> str:
    task_id = raw.get("taskId") if isinstance(raw, dict) else None
    if not task_id:
        raise BackendError("Sora 2: the submit answer had no taskId", code="no_task_id", key="no_task_id", who="Sora 2")
    return checked_id(task_id, "the Sora 2 task id", "NanoPhoto")


def sora_status_of(raw: Any, task_id: str) -> TaskStatus:
    raw = raw if isinstance(raw, dict) else {}
    return TaskStatus(
        state=_state_of(raw),
        task_id=task_id,  # the one we asked about (a server-sent id is never taken unchecked)
        url=_opt_url(raw.get("videoUrl")),
        progress=_opt_str(raw.get("progress")),
        credits_used=_opt_int(raw.get("creditsUsed")),
        error=_opt_str(raw.get("error")),
        error_code=_opt_str(raw.get("errorCode")),
    )


def veo_task_ids(raw: Any) -> list[dict[str, str]]:
    shots = raw.get("shots") if isinstance(raw, dict) else None
    pairs = [
        {"shotId": checked_id(s.get("shotId") or s.get("id") or "shot", "a Veo 3.1 shot id", "NanoPhoto"),
         "taskId": checked_id(s["taskId"], "a Veo 3.1 task id", "NanoPhoto")}
        for s in (shots if isinstance(shots, list) else [])
        if isinstance(s, dict) and s.get("taskId")
    ]
    if not pairs:
        raise BackendError("Veo 3.1: the submit answer had no shots with task ids", code="no_task_id", key="no_task_id", who="Veo 3.1")
    return pairs


def veo_status_of(raw: Any, task_ids: list[dict[str, str]]) -> TaskStatus:
    """Each shot's state; the job is completed when all are, failed when all are
    done and one failed, else processing."""
    raw = raw if isinstance(raw, dict) else {}
    items: list[Any] = next((raw[k] for k in ("shots", "results", "tasks", "data") if isinstance(raw.get(k), list)), [])
    by_task = {str(i.get("taskId")): i for i in items if isinstance(i, dict)}
    shots = []
    for pair in task_ids:
        item = by_task.get(pair["taskId"], {})
        shots.append(
            TaskStatus(
                state=_state_of(item) if item else _state_of(raw),
                task_id=pair["taskId"],
                shot_id=pair["shotId"],
                url=_opt_url(item.get("videoUrl")),
                progress=_opt_str(item.get("progress")),
                credits_used=_opt_int(item.get("creditsUsed")),
                error=_opt_str(item.get("error")),
                error_code=_opt_str(item.get("errorCode")),
            )
        )
    states = {s.state for s in shots}
    state = "processing" if "processing" in states else "failed" if "failed" in states else "completed"
    used = [s.credits_used for s in shots if s.credits_used is not None]
    failed = next((s for s in shots if s.state == "failed"), None)
    return TaskStatus(
        state=state,
        task_id=",".join(p["taskId"] for p in task_ids),
        url=next((s.url for s in shots if s.url), None),
        progress=f"{sum(s.state == 'completed' for s in shots)}/{len(shots)} shots done",
        credits_used=sum(used) if used else _opt_int(raw.get("creditsUsed")),
        error=failed.error if failed else None,
        error_code=failed.error_code if failed else None,
        shots=tuple(shots),
    )


# -- errors ----------------------------------------------------------------------------------

_USAGE_CODES = {
    "PROMPT_REQUIRED": "Give a prompt.",
    "IMAGE_REQUIRED": "imageToVideo needs public image URLs (--image-url).",
    "IMAGE_URLS_REQUIRED": "Send public image URLs: no local files, no base64 (--upload-local uploads a file first).",
    "TASK_ID_REQUIRED": "Pass --task-id.",
    "SHOTS_REQUIRED": "Build a valid shots list (--shots-json).",
    "INVALID_IMAGE_COUNT": "Fix imageUrls for that shot's generationType.",
    "TASK_IDS_REQUIRED": 'Pass --task-ids-json \'[{"shotId": ..., "taskId": ...}]\'.',
}


def nanophoto_error(status: int, body: Any, retry_after: str | None, what: str) -> NemochatError | None:
    """The typed error for one answer, or None when it is a success."""
    body = body if isinstance(body, dict) else {}
    code = _opt_str(body.get("errorCode"))
    if status < 400 and code is None and body.get("success") is not False:
        return None
    detail = _opt_str(body.get("error")) or _opt_str(body.get("message")) or f"HTTP {status}"
    if code == "LOGIN_REQUIRED" or status in (401, 403):
        return AuthError(f"{what}: NanoPhoto refused the API key ({detail})", code="LOGIN_REQUIRED", action=f"Check your key at {KEYS_PAGE}.", key="nanophoto.key", what=what, page=KEYS_PAGE)
    if code == "API_KEY_RATE_LIMIT_EXCEEDED" or status == 429:
        return RateLimited(
            f"{what}: NanoPhoto's rate limit (100 requests/hour per key) was hit",
            code="API_KEY_RATE_LIMIT_EXCEEDED",
            retry_after=parse_retry_after(retry_after),
            action="Wait a while and try again.",
            key="nanophoto.rate_limited", what=what,
        )
    if code == "INSUFFICIENT_CREDITS" or status == 402:
        needed = _opt_int(body.get("requiredCredits"))
        extra = f" (this needs {needed})" if needed is not None else ""
        return CreditsError(f"{what}: not enough NanoPhoto credits{extra}", code="INSUFFICIENT_CREDITS", action="Top up at https://nanophoto.ai.", key="nanophoto.credits", what=what)
    if code == "TASK_NOT_FOUND" or status == 404:
        return TaskNotFound(f"{what}: NanoPhoto knows no such task", code="TASK_NOT_FOUND", action="Check the task id (it must belong to your key), or submit again.",
                            key="nanophoto.no_task", what=what)
    if code in _USAGE_CODES or status in (400, 422):
        return UsageError(f"{what}: NanoPhoto refused the request: {detail}", code=code or status, action=_USAGE_CODES.get(code or "", ""),
                          key="nanophoto.refused." + (code or "other").lower() if code in _USAGE_CODES else "nanophoto.refused", what=what, detail=detail)
    return BackendError(
        f"{what}: NanoPhoto failed: {detail}",
        code=code or status,
        action="Failed runs are refunded; try again, or with a simpler prompt.",
        key="nanophoto.failed", what=what, detail=detail,
    )


def unreachable(exc: httpx.HTTPError, what: str, http: httpx.AsyncClient, setting: str) -> NemochatError:
    """The network error for a provider: its hint names the setting that
    points at this provider (``--api-base`` is NemoVideo's, not theirs)."""
    error = network_error(exc, what)
    base = http.base_url
    shown = f"{base.scheme}://{base.host}" + (f":{base.port}" if base.port else "")  # never userinfo
    error.action = f"Check your connection and {setting}, now {shown}."
    error.action_key, error.values = "network.provider.action", {**error.values, "setting": setting, "shown": shown}
    return error


NANOPHOTO_SETTING = "NANOPHOTO_API_URL (config key nanophoto_api_base)"


def surely_unsent(exc: httpx.HTTPError) -> bool:
    """Whether a transport failure happened before any byte of the request left."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol))


# -- the client ------------------------------------------------------------------------------


class NanoPhotoClient:
    """Sora 2 and Veo 3.1 over one ``httpx.AsyncClient`` whose base is NanoPhoto's."""

    def __init__(self, http: httpx.AsyncClient, api_key: str, *, deadline: float | None = None) -> None:
        """``deadline``: the whole-call bound of each request (``call_deadline``); a
        submit cut by it is an ``AmbiguousSubmit``, never resent."""
        self.http = http
        self.api_key = api_key
        self.deadline = deadline
        remember(api_key)  # hidden from whatever NanoPhoto echoes of it

    async def sora_submit(self, request: SoraRequest) -> dict[str, Any]:
        return await self._post("/api/sora-2/generate", request.payload(), "Submitting to Sora 2", paid=True)

    async def sora_status(self, task_id: str) -> dict[str, Any]:
        return await self._post("/api/sora-2/check-status", {"taskId": task_id}, "Checking the Sora 2 task")

    async def veo_submit(self, request: VeoRequest) -> dict[str, Any]:
        return await self._post("/api/veo-3/generate", request.payload(), "Submitting to Veo 3.1", paid=True)

    async def veo_status(self, task_ids: list[dict[str, str]], resolution: str) -> dict[str, Any]:
        body = {"taskIds": task_ids, "resolution": resolution}  # check-status must repeat the resolution
        return await self._post("/api/veo-3/check-status", body, "Checking the Veo 3.1 shots")

    async def _post(self, path: str, body: dict[str, Any], what: str, *, paid: bool = False) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}", "User-Agent": f"nemochat/{__version__}", "Accept": "application/json"}
        try:
            response = await bounded_request(self.http, "POST", path, what=what, who="NanoPhoto", max_bytes=JSON_ANSWER_MAX_BYTES,
                                             deadline=self.deadline, json=body, headers=headers)
        except NetworkError as late:  # past the whole-call deadline: a paid submit's answer is lost, not refused
            if paid:
                raise AmbiguousSubmit(f"{what}: no whole answer within {self.deadline:.0f} s; "
                                      "the task may be running and billed", key="submit_late", what=what, seconds=f"{self.deadline:.0f}") from None
            raise late
        except httpx.HTTPError as exc:
            if paid and not surely_unsent(exc):
                raise AmbiguousSubmit(
                    f"{what}: the request went out but its answer was lost ({type(exc).__name__}); "
                    "the task may be running and billed",
                    key="submit_lost", what=what, error=type(exc).__name__,
                ) from None
            raise unreachable(exc, what, self.http, NANOPHOTO_SETTING) from None
        answer = body_of(response)
        if not paid and isinstance(answer, dict) and _state_of(answer) == "failed":
            return answer  # a task that failed is an answer, not an error of the request
        error = nanophoto_error(response.status_code, answer, response.headers.get("Retry-After"), what)
        if error is not None:
            raise error
        if not isinstance(answer, dict):
            raise BackendError(f"{what}: NanoPhoto sent no JSON (HTTP {response.status_code})", code="bad_answer", key="no_json",
                               what=what, who="NanoPhoto", status=response.status_code)
        return answer


def _state_of(answer: dict[str, Any]) -> str:
    return "failed" if answer.get("errorCode") == "GENERATION_FAILED" else normalize_state(answer.get("status"))


def _opt_url(value: Any) -> str | None:
    """A URL is a non-empty string: a list or an object is no URL at all."""
    return value if isinstance(value, str) and value else None


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None


# -- as jobs (what app.video_jobs drives) -------------------------------------------------------


class SoraJob:
    kind = "sora2"

    def __init__(self, client: NanoPhotoClient, request: SoraRequest | None = None) -> None:
        self.client, self.request = client, request

    def params(self) -> dict[str, Any]:
        return self.request.payload() if self.request else {}

    async def submit(self) -> dict[str, Any]:
        assert self.request is not None
        return await self.client.sora_submit(self.request)

    def task_ids(self, answer: Any) -> str:
        return sora_task_id(answer)

    async def status(self, task_id: str) -> tuple[TaskStatus, dict[str, Any]]:
        answer = await self.client.sora_status(task_id)
        return sora_status_of(answer, task_id), answer

    def reattach(self, task_id: str) -> str:
        return f"nemochat sora status --task-id {task_id} --follow"


class VeoJob:
    kind = "veo3.1"

    def __init__(self, client: NanoPhotoClient, request: VeoRequest | None = None, *, resolution: str = "720p") -> None:
        self.client, self.request = client, request
        self.resolution = request.resolution if request else resolution

    def params(self) -> dict[str, Any]:
        return self.request.payload() if self.request else {"resolution": self.resolution}

    async def submit(self) -> dict[str, Any]:
        assert self.request is not None
        return await self.client.veo_submit(self.request)

    def task_ids(self, answer: Any) -> dict[str, Any]:
        return {"shots": veo_task_ids(answer)}

    async def status(self, task_ids: dict[str, Any]) -> tuple[TaskStatus, dict[str, Any]]:
        answer = await self.client.veo_status(task_ids["shots"], self.resolution)
        return veo_status_of(answer, task_ids["shots"]), answer

    def reattach(self, task_ids: dict[str, Any]) -> str:
        pairs = json.dumps(task_ids["shots"], separators=(",", ":"))
        return f"nemochat veo status --task-ids-json '{pairs}' --resolution {self.resolution} --follow"
