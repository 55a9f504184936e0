"""An OpenAI-style video gateway (protocol.md section 4).

Two paths: ``POST /v1/video/create`` then ``GET /v1/video/query?id=`` (the
query path is configurable), or one streamed ``POST /v1/chat/completions``
whose content reports progress and ends with the video's URL. Like the
NanoPhoto client: one call per method, typed errors, and a paid request whose
answer was lost is ``AmbiguousSubmit``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from httpx_sse import EventSource

from nemochat import __version__
from nemochat.core import json_safe
from nemochat.clients.bounds import JSON_ANSWER_MAX_BYTES, bounded_request
from nemochat.clients.ids import checked_id
from nemochat.clients.http import body_of, parse_retry_after
from nemochat.clients.nanophoto import AmbiguousSubmit, TaskNotFound, TaskStatus, normalize_state, surely_unsent, unreachable
from nemochat.core.secrets import remember
from nemochat.core.video_rules import GatewayRequest
from nemochat.errors import AuthError, BackendError, CreditsError, NemochatError, NetworkError, RateLimited, UsageError

DEFAULT_QUERY_PATH = "/v1/video/query"
CHAT_TOOL = "generate_animate"

_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")
_MD_LINK = re.compile(r"\]\((https?://[^\s)]+)\)")
_VIDEO_EXT = re.compile(r"\.(mp4|mov|webm|m4v|mkv)(\?|#|$)", re.IGNORECASE)
_URL_KEYS = ("video_url", "videoUrl", "url", "output_url", "outputUrl", "download_url", "video")


def gateway_base(url: str) -> str:
    """The gateway's root: a configured ``.../v1`` is accepted too."""
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


# -- answers ---------------------------------------------------------------------------------


def find_video_url(answer: Any) -> str | None:
    """The video's URL anywhere in a JSON answer: known keys first, then any
    URL that looks like a video, then any URL."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key in _URL_KEYS:
                if isinstance(value.get(key), str) and _URL.fullmatch(value[key].strip()):
                    found.append(value[key].strip())
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.extend(_URL.findall(value))

    walk(answer)
    return next((u for u in found if _VIDEO_EXT.search(u)), found[0] if found else None)


def url_in_text(text: str) -> str | None:
    """The video URL at the end of a chat answer: a Markdown link or a bare URL
    (a video file preferred, the last one otherwise)."""
    urls: list[str] = _MD_LINK.findall(text) + [u.rstrip(".,;!") for u in _URL.findall(text)]
    videos = [u for u in urls if _VIDEO_EXT.search(u)]
    return (videos or urls)[-1] if urls else None


def task_id_of(answer: Any) -> str:
    task_id = answer.get("id") or answer.get("task_id") if isinstance(answer, dict) else None
    if not task_id:
        raise BackendError("Gateway: the create answer had no task id", code="no_task_id", key="no_task_id", who="Gateway")
    return checked_id(task_id, "the gateway's task id", "The gateway")


def gateway_status_of(answer: Any, task_id: str) -> TaskStatus:
    answer = answer if isinstance(answer, dict) else {}
    inner = answer.get("data") if isinstance(answer.get("data"), dict) else answer
    error = inner.get("error") or inner.get("fail_reason")
    if isinstance(error, dict):
        error = error.get("message")
    state = normalize_state(inner.get("status"))
    url = find_video_url(inner) if state == "completed" else None
    return TaskStatus(
        state=state,
        task_id=task_id,  # the one we asked about (a server-sent id is never taken unchecked)
        url=url,
        progress=None if inner.get("progress") is None else str(inner.get("progress")),
        error=str(error) if error else None,
    )


def gateway_error(status: int, body: Any, retry_after: str | None, what: str) -> NemochatError | None:
    if status < 400:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        detail, code = str(error.get("message") or ""), str(error.get("code") or error.get("type") or "")
    else:
        detail = str(error or (body.get("message") if isinstance(body, dict) else "") or "")
        code = ""
    detail = detail[:300] or f"HTTP {status}"
    if status in (401, 403):
        return AuthError(f"{what}: the gateway refused the key ({detail})", code=status, action="Check SORA_GATEWAY_KEY.",
                         key="gateway.key", what=what, detail=detail)
    if status == 402 or "quota" in code or "insufficient" in code:
        return CreditsError(f"{what}: not enough gateway credit ({detail})", code=code or status, action="Top up with your gateway provider.",
                            key="gateway.credits", what=what, detail=detail)
    if status == 429:
        return RateLimited(f"{what}: the gateway is rate limiting", code=429, retry_after=parse_retry_after(retry_after),
                           key="gateway.rate_limited", what=what)
    if status == 404:
        return TaskNotFound(f"{what}: the gateway knows no such task ({detail})", code=404, action="Check --id (and --query-path).",
                            key="gateway.no_task", what=what, detail=detail)
    if status in (400, 422):
        return UsageError(f"{what}: the gateway refused the request: {detail}", code=code or status, key="gateway.refused", what=what, detail=detail)
    return BackendError(f"{what}: the gateway failed: {detail}", code=code or status, action="Try again in a moment.",
                        key="gateway.failed", what=what, detail=detail)


# -- the client ------------------------------------------------------------------------------


class GatewayClient:
    def __init__(self, http: httpx.AsyncClient, key: str | None, *, query_path: str = DEFAULT_QUERY_PATH,
                 deadline: float | None = None) -> None:
        self.http = http
        self.deadline = deadline  # each JSON call's whole-exchange bound (the chat stream has its own)
        self.key = key
        remember(key)  # hidden from whatever the gateway echoes of it
        self.query_path = "/" + query_path.lstrip("/")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": f"nemochat/{__version__}"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        return headers

    async def create(self, request: GatewayRequest) -> dict[str, Any]:
        return await self._call("POST", "/v1/video/create", "Submitting to the video gateway", json=request.payload(), paid=True)

    async def query(self, task_id: str) -> dict[str, Any]:
        return await self._call("GET", self.query_path, "Checking the gateway task", params={"id": task_id})

    async def chat(self, prompt: str, model: str, on_text: Callable[[str], None]) -> str:
        """The streamed chat path; returns the whole content (call ``url_in_text`` on it)."""
        body = {
            "model": model,
            "max_tokens": 1000,
            "messages": [{"role": "user", "content": prompt}],
            "tools": [f"function:{CHAT_TOOL}"],
            "tool_choice": {"type": "function", "function": {"name": CHAT_TOOL}},
            "stream": True,
        }
        what = "Generating through the gateway's chat"
        request = self.http.build_request(
            "POST", "/v1/chat/completions", json=body, headers={**self._headers(), "Accept": "text/event-stream"},
            timeout=httpx.Timeout(None, connect=self.http.timeout.connect),
        )
        content: list[str] = []
        try:
            response = await self.http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, what, self.http, paid=True) from None
        try:
            if response.status_code >= 400:
                await response.aread()
                raise gateway_error(response.status_code, body_of(response), response.headers.get("Retry-After"), what) or BackendError(what)
            async for event in EventSource(response).aiter_sse():
                if event.data.strip() == "[DONE]":
                    return "".join(content)
                piece = _chunk_text(event.data)
                if piece:
                    content.append(piece)
                    on_text(piece)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, what, self.http, paid=True) from None
        finally:
            await response.aclose()
        if url_in_text("".join(content)):
            return "".join(content)  # no [DONE], but the answer is whole
        raise AmbiguousSubmit(f"{what}: the stream ended before the video's URL arrived; the generation may still be running and billed",
                              key="gateway.no_url", what=what)

    async def _call(self, method: str, path: str, what: str, *, paid: bool = False, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await bounded_request(self.http, method, path, what=what, who="The gateway", max_bytes=JSON_ANSWER_MAX_BYTES,
                                             deadline=self.deadline, headers=self._headers(), **kwargs)
        except NetworkError as late:  # past the whole-call deadline: a paid create's answer is lost, not refused
            if paid:
                raise AmbiguousSubmit(f"{what}: no whole answer within {self.deadline:.0f} s; "
                                      "the generation may be running and billed", key="submit_late", what=what, seconds=f"{self.deadline:.0f}") from None
            raise late
        except httpx.HTTPError as exc:
            raise _transport_error(exc, what, self.http, paid=paid) from None
        answer = body_of(response)
        error = gateway_error(response.status_code, answer, response.headers.get("Retry-After"), what)
        if error is not None:
            raise error
        if not isinstance(answer, dict):
            raise BackendError(f"{what}: the gateway sent no JSON object (HTTP {response.status_code})", code="bad_answer", key="no_json",
                               what=what, who="The gateway", status=response.status_code)
        return answer


def _transport_error(exc: httpx.HTTPError, what: str, http: httpx.AsyncClient, *, paid: bool) -> NemochatError:
    if paid and not surely_unsent(exc):
        return AmbiguousSubmit(f"{what}: the request went out but its answer was lost ({type(exc).__name__}); the task may be running and billed",
                               key="submit_lost", what=what, error=type(exc).__name__)
    return unreachable(exc, what, http, "SORA_GATEWAY_URL (config key gateway_url)")


def _chunk_text(data: str) -> str:
    """The content of one OpenAI chat-completion chunk (anything else: nothing;
    an error chunk raises)."""
    try:
        chunk = json_safe.loads(data)
    except ValueError:  # (nested too deep too)
        return ""
    if isinstance(chunk, dict) and chunk.get("error"):
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise BackendError(f"The gateway's chat failed: {str(message)[:300]}", code="chat_error", key="gateway.chat_failed", detail=str(message)[:300])
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    delta = choices[0].get("delta") or choices[0].get("message") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


class GatewayJob:
    """``/v1/video/create`` then ``/v1/video/query``, as app.video_jobs drives it."""

    kind = "gateway"

    def __init__(self, client: GatewayClient, request: GatewayRequest | None = None) -> None:
        self.client, self.request = client, request

    def params(self) -> dict[str, Any]:
        return {"via": "create", "query_path": self.client.query_path, **(self.request.payload() if self.request else {})}

    async def submit(self) -> dict[str, Any]:
        assert self.request is not None
        return await self.client.create(self.request)

    def task_ids(self, answer: Any) -> str:
        return task_id_of(answer)

    async def status(self, task_id: str) -> tuple[TaskStatus, dict[str, Any]]:
        answer = await self.client.query(task_id)
        return gateway_status_of(answer, task_id), answer

    def reattach(self, task_id: str) -> str:
        return f"nemochat gateway status --id {task_id} --follow"
