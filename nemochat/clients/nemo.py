"""The NemoVideo client: token, sessions, credits, state and the agent stream.

Safe retries live here, in one place (protocol.md "Errors"):
1001 → a new anonymous token with the same client id, then once more;
429 → wait ``Retry-After`` (else a default) and once more;
HTTP 400 "missing client id" → a new client id, then once more;
NemoVideo unreachable (refused, DNS, connect timeout, cut before an answer)
→ the requests that spend nothing (token, sessions, claim link, credits,
state) are tried ``connect_retries`` more times, waiting 1, 2, 4 s...
A ``/run_sse`` request is sent again only when it cannot have reached the
server: refused by it before any stream began, or no connection made at
all. Cut after it was sent, it may be running: that is a dropped stream,
never resent (see app.recovery).
"""

from __future__ import annotations

import asyncio
import codecs
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from nemochat.clients import auth
from nemochat.clients.bounds import Inflater, bounded_request, call_deadline, retry_wait
from nemochat.clients.ids import checked_id, checked_token, optional_id
from nemochat.clients.http import body_of, check, error_for, network_error, never_sent, no_answer, unexpected
from nemochat.clients.sse import SSEBatcher
from nemochat.core.texts import Said
from nemochat.core.secrets import remember
from nemochat.errors import AuthError, BackendError, NemochatError, RateLimited, StreamDropped, TokenRejected
from nemochat.settings import Paths, Settings

APP = "nemo_agent"
CLAIM_URL = "https://nemovideo.com/workspace/claim?ct={claim_token}"
REGISTER_URL = "https://nemovideo.com/register?bind={user_id}"

Notify = Callable[[str], None]


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    task_id: str | None = None
    user_id: str | None = None


class NemoClient:
    """Owns the identity (client id, token) and talks to one backend."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: Settings,
        paths: Paths,
        *,
        notify: Notify = lambda message: None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        recorder: Any = None,  # a clients.recording.StreamRecorder with --record
    ) -> None:
        self.http = http
        self.recorder = recorder
        self.settings = settings
        self.paths = paths
        self.notify = notify
        # Messages handed to /run_sse that may have reached the agent (one
        # refused, or whose connection was never made, is taken back): the
        # REPL says after Ctrl-C whether the agent may still be at work.
        self.messages_out = 0
        self.sleep = sleep
        self.client_id = auth.load_or_create_client_id(paths.nemovideo_config, settings.client_id, lock_wait=settings.identity_lock_wait)
        self.token: str | None = settings.token
        self.user_id: str | None = None
        self.anonymous = settings.token is None

    @property
    def token_cache(self) -> Path:
        return self.paths.config / "token.json"

    # -- identity -----------------------------------------------------------------

    async def ensure_token(self) -> str:
        if self.token:
            return self.token
        cached = auth.load_token(self.token_cache, self.settings.backend, self.client_id)
        if not cached:
            async with self._token_lock():  # another run may be asking: one request, shared
                cached = auth.load_token(self.token_cache, self.settings.backend, self.client_id)
                if not cached:
                    return await self._new_anonymous_token()
        self.token, self.user_id = cached.token, cached.user_id
        return cached.token

    @asynccontextmanager
    async def _token_lock(self) -> AsyncIterator[None]:
        import filelock

        try:
            async with auth.token_lock(self.token_cache, self.settings.identity_lock_wait):
                yield
        except filelock.Timeout:
            raise AuthError(
                f"Getting a token: another nemochat has been getting one for {self.settings.identity_lock_wait:.0f} s.",
                action="Try again in a moment.",
                key="token.locked", wait=f"{self.settings.identity_lock_wait:.0f}",
            ) from None

    async def _new_anonymous_token(self) -> str:
        async def request() -> Any:
            response = await self._send(
                "POST", "/api/auth/anonymous-token", "Getting a token", headers={"X-Client-Id": self.client_id}, authed=False, safe=True
            )
            return check(response, "Getting a token")

        try:
            data = await self._with_rate_limit_retry(request)
        except AuthError as exc:
            if exc.code != "400":
                raise
            self.client_id = auth.new_client_id(self.paths.nemovideo_config, lock_wait=self.settings.identity_lock_wait)
            self.notify(Said.of("notice.client_id"))
            data = await self._with_rate_limit_retry(request)
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            raise AuthError("Getting a token: the server sent no token", action="Try again later, or pass --token.", key="token.none")
        now = time.time()
        token, user_id = checked_token(data["token"]), optional_id(data.get("user_id"), "your user id")
        cached = auth.CachedToken(token, user_id, auth.parse_expiry(data.get("expires_at"), now))
        auth.store_token(self.token_cache, self.settings.backend, self.client_id, cached)
        self.token, self.user_id = cached.token, cached.user_id
        return cached.token

    async def _renew_token(self) -> None:
        if not self.anonymous:
            raise AuthError(
                "The token you gave (--token / NEMO_TOKEN) was rejected.",
                code=1001,
                action="Pass a valid token, or unset NEMO_TOKEN to use a free anonymous one.",
                key="token.given_rejected",
            )
        rejected, self.token = self.token, None
        async with self._token_lock():
            cached = auth.load_token(self.token_cache, self.settings.backend, self.client_id)
            if cached and cached.token != rejected:  # another run renewed it already
                self.token, self.user_id = cached.token, cached.user_id
                return
            auth.forget_token(self.token_cache, self.settings.backend, self.client_id)
            self.notify(Said.of("notice.token_expired"))
            await self._new_anonymous_token()

    # -- calls ----------------------------------------------------------------------

    async def call(self, method: str, path: str, what: str, *, safe: bool = False, **kwargs: Any) -> Any:
        """One API call with the safe retries; returns the envelope's ``data``.

        ``safe``: sending it twice spends nothing and changes nothing that
        matters, so it is also tried again while NemoVideo can't be reached."""

        async def attempt() -> Any:
            await self.ensure_token()
            return check(await self._send(method, path, what, safe=safe, **kwargs), what)

        try:
            return await self._with_rate_limit_retry(attempt)
        except TokenRejected:
            await self._renew_token()
        try:
            return await self._with_rate_limit_retry(attempt)
        except TokenRejected:  # a brand-new token refused too: retrying more would not help
            raise AuthError(
                f"{what}: the server rejects even a new token.",
                code=1001,
                action="Try again later; if it persists, pass a token with --token (or NEMO_TOKEN).",
                key="token.new_rejected", what=what,
            ) from None

    async def create_session(self, language: str) -> SessionInfo:
        data = await self.call(
            "POST", f"/api/tasks/me/with-session/{APP}", "Creating a session", json={"task_name": "project", "language": language},
            safe=True,  # a second one, if the first did arrive, is an empty project: nothing spent
        )
        data = data if isinstance(data, dict) else {}
        if not data.get("session_id"):
            raise BackendError("Creating a session: the server sent no session id", code="no_session_id", key="no_session_id")
        session = SessionInfo(checked_id(data["session_id"], "the new session's id"), optional_id(data.get("task_id"), "the new session's task id"),
                              optional_id(data.get("user_id"), "your user id") or self.user_id)
        self.user_id = session.user_id
        return session

    async def claim_url(self, task_id: str | None, session_id: str) -> str | None:
        """The link that opens this project (a session's task) in the browser; never carries the bearer token."""
        if not task_id:
            return None
        try:
            data = await self.call(
                "POST", "/api/auth/claim-token", "Getting the project link",
                json={"task_id": task_id, "session_id": session_id}, safe=True,
            )
        except NemochatError:
            return None  # a missing link is no reason to stop the user
        token = data.get("claim_token") if isinstance(data, dict) else None
        try:
            token = optional_id(token, "the claim token")
        except BackendError:
            return None  # a link we cannot vouch for is no link (and no reason to stop)
        return CLAIM_URL.format(claim_token=token) if token else None

    async def credits(self) -> dict[str, Any]:
        data = await self.call("GET", "/api/credits/balance/simple", "Reading credits", safe=True)
        if not isinstance(data, dict):
            raise unexpected("Reading credits", "no balance in the answer")
        numbers = {key: data.get(key) for key in ("available", "frozen", "total")}
        if not all(_finite(value) for value in numbers.values()):  # never a number it did not send
            raise unexpected("Reading credits", "a balance without its numbers")
        return {**data, **numbers}

    async def state(self, session_id: str) -> dict[str, Any]:
        data = await self.call("GET", f"/api/state/{APP}/me/{quote(session_id, safe='')}/latest", "Reading the project state", safe=True)
        if not isinstance(data, dict):  # an HTML page or a list is not an empty project
            raise unexpected("Reading the project state", "no project state in the answer")
        return data

    def register_url(self) -> str | None:
        return REGISTER_URL.format(user_id=self.user_id) if self.anonymous and self.user_id else None

    # -- the agent stream ---------------------------------------------------------

    @asynccontextmanager
    async def run_sse(self, session_id: str, text: str) -> AsyncIterator[AsyncIterator[list[str]]]:
        """Open ``/run_sse`` and yield the ``data`` of its events as they arrive,
        a network read at a time (see ``sse_batches``).

        Refusals before the stream starts (token, rate limit) are retried
        once, a connection that could not be made a few times; once the
        request may have reached the server, nothing here sends it again."""
        body = {"app_name": APP, "user_id": "me", "session_id": session_id, "new_message": {"parts": [{"text": text}]}}
        # No read timeout: ADK sends no keep-alive during long tool calls. The
        # 15-minute cap is the conversation's job.
        timeout = httpx.Timeout(None, connect=self.settings.connect_timeout)
        attempt = unreached = 0
        while True:
            await self.ensure_token()
            request = self.http.build_request(
                "POST", "/run_sse", json=body, timeout=timeout, headers={**self._auth(), "Accept": "text/event-stream"}
            )
            self.messages_out += 1  # from here on, the message may reach the agent
            try:
                response = await self.http.send(request, stream=True)
            except httpx.HTTPError as exc:
                if never_sent(exc):
                    self.messages_out -= 1  # it never left
                if never_sent(exc) and unreached < self.settings.connect_retries:
                    unreached += 1
                    await self._wait_unreachable(unreached)
                    continue
                if no_answer(exc) and not never_sent(exc):  # it may be running: never send it again
                    raise StreamDropped("The connection dropped before the answer began.", key="stream.before") from None
                raise network_error(exc, "Sending your message", tries=unreached + 1) from None
            if response.status_code == 200:
                break
            self.messages_out -= 1  # refused before the agent ran it
            await response.aread()
            await response.aclose()
            error = error_for(response.status_code, body_of(response), response.headers.get("Retry-After"), "Sending your message")
            if isinstance(error, TokenRejected) and attempt == 0:
                await self._renew_token()
            elif isinstance(error, RateLimited) and attempt < 2:
                await self._wait_rate_limit(error)
            else:
                raise error or NemochatError(f"Sending your message: HTTP {response.status_code}", key="http_status",
                                             what="Sending your message", status=response.status_code)
            attempt += 1
        try:
            if self.recorder is not None:  # --record: tee the raw bytes into a fixture
                self.recorder.attach(request, body, response, secrets=(self.token, self.client_id))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                await response.aread()  # a JSON answer with HTTP 200: an error in disguise
                raise error_for(200, body_of(response), None, "Sending your message") or BackendError(
                    "Sending your message: the server did not answer with a stream", code="not_sse", key="not_sse"
                )
            yield sse_batches(response, max_event=self.settings.sse_event_max_bytes)
        finally:
            await response.aclose()

    # -- plumbing -------------------------------------------------------------------

    async def _send(
        self, method: str, path: str, what: str, *, authed: bool = True, safe: bool = False, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request; a ``safe`` one is sent again while the server can't be reached."""
        all_headers = {**(self._auth() if authed else {}), **(headers or {})}
        retries = self.settings.connect_retries if safe else 0
        attempt = 1
        s = self.settings
        deadline = None if "files" in kwargs else call_deadline(s)  # an upload takes as long as its file
        while True:
            try:
                return await bounded_request(
                    self.http, method, path, what=what, max_bytes=s.json_answer_max_bytes, deadline=deadline, headers=all_headers, **kwargs
                )
            except httpx.HTTPError as exc:
                if attempt > retries or not no_answer(exc):
                    raise network_error(exc, what, tries=attempt) from None
            await self._wait_unreachable(attempt)
            attempt += 1

    def _auth(self) -> dict[str, str]:
        if not self.token:
            return {}
        remember(self.token)  # hidden from whatever a server echoes of it
        return {"Authorization": f"Bearer {self.token}"}

    async def _with_rate_limit_retry(self, attempt: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await attempt()
        except RateLimited as error:
            await self._wait_rate_limit(error)
            return await attempt()

    async def _wait_unreachable(self, retry: int) -> None:
        """Before retry number ``retry``: 1, 2, 4 s... (settings), said aloud
        so a long wait is never a silent hang."""
        s = self.settings
        wait = min(s.connect_retry_wait * 2 ** (retry - 1), s.connect_retry_max_wait)
        key = "notice.unreachable" if wait >= 0.5 else "notice.unreachable_now"
        self.notify(Said.of(key, wait=f"{wait:.0f}", retry=retry, retries=s.connect_retries))
        await self.sleep(wait)

    async def _wait_rate_limit(self, error: RateLimited) -> None:
        s = self.settings
        wait = retry_wait(error.retry_after, default=s.retry_after_default, longest=s.retry_after_max, what=error.message)
        self.notify(Said.of("notice.slow_down", wait=f"{wait:.0f}"))
        await self.sleep(wait)


async def sse_batches(response: httpx.Response, *, max_event: int = 16 * 1024 * 1024) -> AsyncIterator[list[str]]:
    """The ``data`` of each server-sent event, in order, as lists: the events
    completed by one network read together, as soon as it arrives
    (httpx-sse frames them; see ``clients.sse``). A busy stream brings
    hundreds of events per read; handing them over one ``await`` at a time
    would cost more than reading them.

    The bytes come straight from ``aiter_raw`` (decoded as ``aiter_text``
    would: UTF-8, bad bytes replaced), inflated a bounded piece at a time
    when compressed (``clients.bounds.Inflater``); a line or an event longer
    than ``max_event`` characters (the ``sse_event_max_bytes`` setting) ends
    the stream with an error instead of filling the memory."""
    batcher = SSEBatcher()
    try:
        inflater = Inflater(response.headers.get("content-encoding"))
    except ValueError as bad:
        raise BackendError(f"NemoVideo answered something unexpected: the agent's stream came with {bad}", code="bad_answer",
                           key="bad_stream", detail=str(bad)) from None
    decode = codecs.getincrementaldecoder(response.encoding or "utf-8")(errors="replace").decode
    feed, pending = batcher.feed, batcher.pending
    too_long = BackendError(
        f"NemoVideo answered something unexpected: one event of the agent's stream is longer than "
        f"{max_event / 1e6:.0f} MB (sse_event_max_bytes); stopped reading it",
        code="too_large", key="event_too_large", size=f"{max_event / 1e6:.0f}",
    )
    if inflater.identity:  # the usual: one step per network chunk (a busy stream brings tens of thousands)
        async for chunk in response.aiter_raw():
            batch = feed(decode(chunk))
            if batch:
                yield batch
            elif pending() > max_event:  # (only a chunk that ended no event can hold more)
                raise too_long
    else:
        async for chunk in response.aiter_raw():
            for piece in _inflated(inflater, chunk):
                batch = feed(decode(piece))
                if batch:
                    yield batch
                elif pending() > max_event:
                    raise too_long
    batch = batcher.feed(decode(b"", True))  # a character cut at the very end
    if batch:
        yield batch
    rest = batcher.flush()
    if rest:
        yield rest


def _inflated(inflater: Inflater, chunk: bytes) -> Iterator[bytes]:
    try:
        yield from inflater.feed(chunk)
    except ValueError as bad:
        raise BackendError(f"NemoVideo answered something unexpected: the agent's stream came with {bad}", code="bad_answer",
                           key="bad_stream", detail=str(bad)) from None


def _finite(value: object) -> bool:
    """A number (or a number as text, as some backends send it) that is not NaN or infinite."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    try:
        return math.isfinite(float(value))
    except (ValueError, OverflowError):
        return False
