"""NanoPhoto (Sora 2, Veo 3.1) and an OpenAI-style video gateway, simulated
per protocol.md sections 2-4.

A task is "processing" for ``polls_to_complete`` status checks, then
completed (or failed and refunded). Credits are per API key; every request
is logged with its key (the log counts requests, as NanoPhoto's 100/hour
limit does). Faults are switchable from tests:

    state.arm_error("INSUFFICIENT_CREDITS", path="/api/sora-2/generate")
    state.arm_rate_limit(retry_after=5)
    state.set(drop_submit=1)   # the task is created and billed, then the connection is cut
    state.set(fail_next=1, status_5xx=2, status_drop=1, chat_drop=1)
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
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
SORA_COSTS = {("sora2", "10"): 4, ("sora2", "15"): 8, ("sora2-pro-standard", "10"): 60,
              ("sora2-pro-standard", "15"): 100, ("sora2-pro-high", "10"): 120, ("sora2-pro-high", "15"): 240}
VEO_COSTS = {"720p": 10, "1080p": 14, "4k": 30}


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
    def endpoint(handler: Callable[[Request, ProviderState, str | None, Any], Any], gateway: bool = False):
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
        clip = media("clip.mp4")
        assert clip is not None
        return file_response(request, clip)

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


def _submitted(state: ProviderState, answer: dict[str, Any]) -> Response:
    if state.take("drop_submit"):
        return _CutResponse(json.dumps(answer).encode(), media_type="application/json")
    return JSONResponse(answer)


def _public(urls: Any) -> bool:
    return isinstance(urls, list) and all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls)


# -- Sora 2 -------------------------------------------------------------------------------


async def sora_generate(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    if not str(body.get("prompt") or "").strip():
        raise _nanophoto_error("PROMPT_REQUIRED")
    if body.get("mode") == "imageToVideo" and not body.get("imageUrls"):
        raise _nanophoto_error("IMAGE_REQUIRED")
    if "imageUrls" in body and not _public(body["imageUrls"]):
        raise _nanophoto_error("IMAGE_URLS_REQUIRED")
    cost = SORA_COSTS.get((body.get("modelTier", "sora2"), str(body.get("videoDuration", "10"))), 4)
    if not state.charge(key, cost):
        raise _nanophoto_error("INSUFFICIENT_CREDITS", requiredCredits=cost)
    task = state.new_task("sora2", key, cost)
    return _submitted(state, {"success": True, "status": "processing", "taskId": task.task_id, "message": "Video generation in progress"})


async def sora_status(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    task_id = body.get("taskId")
    if not task_id:
        raise _nanophoto_error("TASK_ID_REQUIRED")
    transient = _transient_status(state)
    if transient:
        return transient
    task = state.poll(str(task_id), key)
    if task is None:
        raise _nanophoto_error("TASK_NOT_FOUND")
    return JSONResponse(_sora_answer(request, task))


def _sora_answer(request: Request, task: Task) -> dict[str, Any]:
    if task.status == "completed":
        return {"success": True, "status": "completed", "videoUrl": _video_url(request, task.task_id),
                "taskId": task.task_id, "generationTime": 120, "creditsUsed": task.cost}
    if task.status == "failed":
        return {"success": False, "status": "failed", "error": "Video generation failed",
                "errorCode": "GENERATION_FAILED", "taskId": task.task_id}
    progress = "queued" if task.polls <= 1 else "generating"
    return {"success": True, "status": "processing", "progress": progress,
            "message": f"Video generation {progress}", "taskId": task.task_id}


def _transient_status(state: ProviderState) -> Response | None:
    if state.take("status_drop"):
        return _CutResponse(b'{"success": true, "status": "processing"}', media_type="application/json")
    if state.take("status_5xx"):
        return _nanophoto_error("INTERNAL_ERROR").response
    return None


# -- Veo 3.1 -------------------------------------------------------------------------------

_VEO_IMAGES = {"TEXT_2_VIDEO": (0, 0), "FIRST_AND_LAST_FRAMES_2_VIDEO": (1, 2), "REFERENCE_2_VIDEO": (1, 3)}


async def veo_generate(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    shots = body.get("shots")
    if not isinstance(shots, list) or not shots or len(shots) > 21:
        raise _nanophoto_error("SHOTS_REQUIRED")
    for shot in shots:
        if not isinstance(shot, dict) or not str(shot.get("prompt") or "").strip():
            raise _nanophoto_error("PROMPT_REQUIRED")
        low, high = _VEO_IMAGES.get(shot.get("generationType"), (0, 0))
        images = shot.get("imageUrls") or []
        if not low <= len(images) <= high:
            raise _nanophoto_error("INVALID_IMAGE_COUNT")
        if images and not _public(images):
            raise _nanophoto_error("IMAGE_URLS_REQUIRED")
    cost = VEO_COSTS.get(body.get("resolution", "720p"), 10) * len(shots)
    if not state.charge(key, cost):
        raise _nanophoto_error("INSUFFICIENT_CREDITS", requiredCredits=cost)
    per_shot = cost // len(shots)
    tasks = [state.new_task("veo3.1", key, per_shot, shot_id=str(s.get("id"))) for s in shots]
    return _submitted(state, {"success": True, "status": "processing",
                              "shots": [{"shotId": t.shot_id, "taskId": t.task_id} for t in tasks]})


async def veo_status(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    pairs = body.get("taskIds")
    if not isinstance(pairs, list) or not pairs:
        raise _nanophoto_error("TASK_IDS_REQUIRED")
    transient = _transient_status(state)
    if transient:
        return transient
    shots = []
    for pair in pairs:
        task = state.poll(str(pair.get("taskId") if isinstance(pair, dict) else ""), key)
        if task is None:
            raise _nanophoto_error("TASK_NOT_FOUND")
        answer = _sora_answer(request, task)
        answer.pop("success", None)
        shots.append({"shotId": pair.get("shotId"), **answer})
    states = {s["status"] for s in shots}
    overall = "processing" if "processing" in states else "failed" if "failed" in states else "completed"
    return JSONResponse({"success": True, "status": overall, "resolution": body.get("resolution"), "shots": shots})


# -- the gateway ---------------------------------------------------------------------------


async def gateway_create(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    required = ("images", "model", "orientation", "prompt", "size", "duration")
    if any(f not in body for f in required) or body.get("model") not in ("sora-2", "sora-2-pro"):
        raise _gateway_error("invalid_request_error")
    if body["model"] == "sora-2-pro" and body.get("size") != "large":
        raise _gateway_error("invalid_request_error")
    if not state.charge(key, 1):
        raise _gateway_error("insufficient_quota")
    task = state.new_task("gateway", key, 1)
    return _submitted(state, {"id": task.task_id, "status": "pending", "status_update_time": int(state.clock() * 1000)})


async def gateway_query(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    transient = _transient_status(state)
    if transient:
        return transient
    task = state.poll(request.query_params.get("id", ""), key)
    if task is None:
        raise _gateway_error("not_found")
    status = {"processing": "processing" if task.polls > 1 else "pending"}.get(task.status, task.status)
    url = _video_url(request, task.task_id) if task.status == "completed" else None
    error = "generation failed" if task.status == "failed" else None
    if state.faults.query_shape == 2:
        return JSONResponse({"code": 0, "data": {"id": task.task_id, "status": status, "output": {"url": url}, "fail_reason": error}})
    return JSONResponse({"id": task.task_id, "status": status, "video_url": url, "error": error,
                         "status_update_time": int(state.clock() * 1000)})


async def gateway_chat(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    messages = body.get("messages")
    if not body.get("stream") or not isinstance(messages, list) or not messages:
        raise _gateway_error("invalid_request_error")
    if not state.charge(key, 1):
        raise _gateway_error("insufficient_quota")
    task = state.new_task("gateway", key, 1)
    drop = state.take("chat_drop")
    url = _video_url(request, task.task_id)
    pieces = ["Generating your video", "…\n\n", "Progress: 35%\n", "Progress: 80%\n",
              f"\nDone! [Watch the video]({url})\n"]

    async def chunks() -> AsyncIterator[bytes]:
        base = {"id": f"chatcmpl-{task.task_id}", "object": "chat.completion.chunk", "model": body.get("model")}
        yield _sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
        for n, piece in enumerate(pieces):
            if drop and n == 3:
                raise SimulatedDrop("chat_drop")
            yield _sse({**base, "choices": [{"index": 0, "delta": {"content": piece}}]})
            await asyncio.sleep(0)
        yield _sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        yield b"data: [DONE]\n\n"

    return StreamingResponse(chunks(), media_type="text/event-stream")


def _sse(obj: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()
