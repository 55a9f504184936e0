"""NanoPhoto (Sora 2, Veo 3.1) and an OpenAI-style video gateway, simulated
per protocol.md sections 2-4.

A task is "processing" for ``polls_to_complete`` status checks, then
completed (or failed and refunded). Credits are per API key; every request
is logged with its key (the log counts requests, as NanoPhoto's 100/hour
limit does). Faults are switchable from tests:

    state.arm_error("INSUFFICIENT_CREDITS", path="/api/sora-2/generate")
    state.arm_rate_limit(retry_after=5)
    state.set(drop_submit=1)   # the task is created and billed, then the connection is cut
    state.set(fail_next=1, status_5xx=2, status_drop=1, chat_drop=1, media_404=1)

The answers themselves are in provider_apis.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from nemochat.sim.faults import SimulatedDrop
from nemochat.sim.files import file_response, media

NANOPHOTO_ERRORS = {
    "LOGIN_REQUIRED": (401, "Authentication required"),
    "API_KEY_RATE_LIMIT_EXCEEDED": (429, "API key rate limit exceeded"),
    "INSUFFICIENT_CREDITS": (402, "Insufficient credits"),
    "PROMPT_REQUIRED": (400, "Prompt is required"),
    "IMAGE_REQUIRED": (400, "Image is required for image-to-video"),
    "IMAGE_URLS_REQUIRED": (400, "imageUrls are required (no base64)"),
    "GENERATION_FAILED": (500, "Video generation failed"),
    "TASK_ID_REQUIRED": (400, "taskId is required"),
    "TASK_NOT_FOUND": (404, "Task not found"),
    "INTERNAL_ERROR": (500, "Internal server error"),
    "SHOTS_REQUIRED": (400, "shots are required"),
    "INVALID_IMAGE_COUNT": (400, "Invalid image count for generation type"),
    "TASK_IDS_REQUIRED": (400, "taskIds are required"),
}
GATEWAY_ERRORS = {
    "invalid_api_key": (401, "Incorrect API key provided"),
    "insufficient_quota": (402, "You exceeded your current quota"),
    "rate_limit_exceeded": (429, "Rate limit reached"),
    "invalid_request_error": (400, "Invalid request"),
    "not_found": (404, "Task not found"),
    "server_error": (500, "The server had an error"),
}



@dataclass(frozen=True)
class ProviderRequest:
    method: str
    path: str
    key: str | None
    json: Any
    query: str
    at: float


@dataclass
class Task:
    task_id: str
    kind: str  # "sora2" | "veo3.1" | "gateway"
    key: str
    cost: int
    polls_to_complete: int
    fail: bool = False
    polls: int = 0
    status: str = "processing"
    shot_id: str | None = None


@dataclass
class ProviderFaults:
    errors: list[dict[str, Any]] = field(default_factory=list)  # {code, path, times}
    rate_limits: list[dict[str, Any]] = field(default_factory=list)  # {retry_after, path, times}
    drop_submit: int = 0
    fail_next: int = 0
    status_5xx: int = 0
    status_drop: int = 0
    chat_drop: int = 0
    media_404: int = 0  # the next N video downloads find nothing
    query_shape: int = 1  # 1: {id, status, video_url}; 2: {data: {status, output: {url}}}


class ProviderState:
    """Everything the provider simulator knows, behind one lock."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Condition()
        self.polls_to_complete = 3
        self.hourly_limit = 100
        self.starting_credits = 100
        self.open_registration = True  # any new key gets starting_credits
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.faults = ProviderFaults()
            self.credits: dict[str, int] = {"demo-key": 10_000}
            self.tasks: dict[str, Task] = {}
            self._requests: list[ProviderRequest] = []

    def snapshot(self) -> dict[str, Any]:
        """Credits and tasks, as JSON, for the demo's saved world (sim.persist)."""
        with self._lock:
            return {"credits": dict(self.credits), "tasks": {k: dataclasses.asdict(t) for k, t in self.tasks.items()}}

    def restore(self, saved: dict[str, Any]) -> None:
        with self._lock:
            self.credits = {str(k): int(v) for k, v in saved["credits"].items()}
            self.tasks = {k: Task(**t) for k, t in saved["tasks"].items()}

    # -- steering from tests --------------------------------------------------------

    def set(self, **changes: Any) -> None:
        with self._lock:
            self.faults = dataclasses.replace(self.faults, **changes)

    def arm_error(self, code: str, *, path: str | None = None, times: int | None = 1) -> None:
        if code not in NANOPHOTO_ERRORS and code not in GATEWAY_ERRORS:
            raise ValueError(f"unknown error code {code}")
        with self._lock:
            self.faults.errors.append({"code": code, "path": path, "times": times})

    def arm_rate_limit(self, *, retry_after: int | None = 30, path: str | None = None, times: int | None = 1) -> None:
        with self._lock:
            self.faults.rate_limits.append({"retry_after": retry_after, "path": path, "times": times})

    def take(self, name: str) -> bool:
        with self._lock:
            left = getattr(self.faults, name)
            if left:
                setattr(self.faults, name, left - 1)
            return bool(left)

    def _take_armed(self, kind: str, path: str) -> dict[str, Any] | None:
        with self._lock:
            armed: list[dict[str, Any]] = getattr(self.faults, kind)
            for fault in armed:
                if fault["path"] is None or path.startswith(fault["path"]):
                    if fault["times"] is not None:
                        fault["times"] -= 1
                        if fault["times"] <= 0:
                            armed.remove(fault)
                    return fault
        return None

    # -- the request log -----------------------------------------------------------

    @property
    def requests(self) -> list[ProviderRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[ProviderRequest]:
        return [r for r in self.requests if r.path.startswith(path)]

    def wait_for(self, path: str, count: int = 1, timeout: float = 30.0) -> bool:
        """Block until ``count`` requests to ``path`` arrived (for tests; no polling)."""
        with self._lock:
            return self._lock.wait_for(lambda: sum(r.path.startswith(path) for r in self._requests) >= count, timeout)

    def _log(self, request: ProviderRequest) -> int:
        """Record it; returns how many requests this key made in the last hour."""
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()
            since = request.at - 3600
            return sum(1 for r in self._requests if r.key == request.key and r.at > since)

    # -- credits and tasks -------------------------------------------------------------

    def balance(self, key: str) -> int:
        with self._lock:
            return self.credits.get(key, 0)

    def charge(self, key: str, cost: int) -> bool:
        with self._lock:
            if key not in self.credits and self.open_registration:
                self.credits[key] = self.starting_credits
            if self.credits.get(key, 0) < cost:
                return False
            self.credits[key] -= cost
            return True

    def new_task(self, kind: str, key: str, cost: int, shot_id: str | None = None) -> Task:
        with self._lock:
            fail = self.faults.fail_next > 0
            if fail:
                self.faults.fail_next -= 1
            prefix = "sora-2:task_" if kind == "gateway" else "task_"
            task = Task(prefix + uuid.uuid4().hex[:16], kind, key, cost, self.polls_to_complete, fail, shot_id=shot_id)
            self.tasks[task.task_id] = task
            return dataclasses.replace(task)

    def poll(self, task_id: str, key: str | None) -> Task | None:
        """One status check: the task advances one step; a failure refunds."""
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None or task.key != key:
                return None
            task.polls += 1
            if task.status == "processing" and task.polls >= task.polls_to_complete:
                task.status = "failed" if task.fail else "completed"
                if task.fail:
                    self.credits[task.key] = self.credits.get(task.key, 0) + task.cost
            return dataclasses.replace(task)

    def finish_all(self) -> None:
        """Let every running task complete at its next check."""
        with self._lock:
            for task in self.tasks.values():
                task.polls_to_complete = 0


# -- answers ------------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _nanophoto_error(code: str, **extra: Any) -> Refused:
    status, message = NANOPHOTO_ERRORS[code]
    return Refused(JSONResponse({"success": False, "error": message, "errorCode": code, **extra}, status_code=status))


def _gateway_error(code: str) -> Refused:
    status, message = GATEWAY_ERRORS[code]
    return Refused(JSONResponse({"error": {"message": message, "type": code, "code": code}}, status_code=status))


class _CutResponse(Response):
    """Headers and half the body, then the connection is cut: the client can
    not know whether its request took effect."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})
        raise SimulatedDrop("provider drop")


def _video_url(request: Request, task_id: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/_providers/media/{task_id.replace(':', '_')}.mp4"


def provider_routes(state: ProviderState) -> list[Route]:
    def endpoint(handler: Callable[[Request, ProviderState, str, dict[str, Any]], Awaitable[Response]], gateway: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            auth = request.headers.get("authorization", "")
            key = auth[7:].strip() if auth.lower().startswith("bearer ") else None
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                body = None
            used = state._log(ProviderRequest(request.method, request.url.path, key, body, request.url.query, state.clock()))
            error = _gateway_error if gateway else _nanophoto_error
            try:
                limited = state._take_armed("rate_limits", request.url.path)
                if limited or used > state.hourly_limit:
                    retry = limited["retry_after"] if limited else 3600
                    refused = error("rate_limit_exceeded" if gateway else "API_KEY_RATE_LIMIT_EXCEEDED")
                    if retry is not None:
                        refused.response.headers["Retry-After"] = str(retry)
                    raise refused
                armed = state._take_armed("errors", request.url.path)
                if armed:
                    raise (_gateway_error if armed["code"] in GATEWAY_ERRORS else _nanophoto_error)(armed["code"])
                if not key:
                    raise error("invalid_api_key" if gateway else "LOGIN_REQUIRED")
                return await handler(request, state, key, body if isinstance(body, dict) else {})
            except Refused as refused:
                return refused.response

        return run

    async def media_file(request: Request) -> Response:
        if state.take("media_404"):
            return JSONResponse({"error": "not found"}, status_code=404)
        clip = media("clip.mp4")
        assert clip is not None
        return file_response(request, clip)

    from nemochat.sim.provider_apis import (  # the answers; they use this module's state
        gateway_chat,
        gateway_create,
        gateway_query,
        sora_generate,
        sora_status,
        veo_generate,
        veo_status,
    )

    return [
        Route("/api/sora-2/generate", endpoint(sora_generate), methods=["POST"]),
        Route("/api/sora-2/check-status", endpoint(sora_status), methods=["POST"]),
        Route("/api/veo-3/generate", endpoint(veo_generate), methods=["POST"]),
        Route("/api/veo-3/check-status", endpoint(veo_status), methods=["POST"]),
        Route("/v1/video/create", endpoint(gateway_create, gateway=True), methods=["POST"]),
        Route("/v1/video/query", endpoint(gateway_query, gateway=True), methods=["GET"]),
        Route("/v1/chat/completions", endpoint(gateway_chat, gateway=True), methods=["POST"]),
        Route("/_providers/media/{name}", media_file, methods=["GET", "HEAD"]),
    ]
