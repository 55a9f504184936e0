"""The shared HTTP layer: one AsyncClient per process, and every failure
mapped to one typed error (see nemochat.errors).

NemoVideo answers ``{"code": 0, "data": ...}``; errors are a non-zero code,
an HTTP status, or both. Render endpoints say ``{"success": ...}`` instead.
ADK's own routes answer ``{"detail": ...}``.
"""

from __future__ import annotations

import re
import socket
from typing import Any

import httpx

from nemochat import __version__
from nemochat.core import json_safe
from nemochat.core.texts import Said
from nemochat.core.secrets import hide
from nemochat.errors import (
    AuthError,
    BackendError,
    CreditsError,
    NemochatError,
    NetworkError,
    RateLimited,
    SessionNotFound,
    TokenRejected,
    UsageError,
)
from nemochat.clients.bounds import parse_retry_after as parse_retry_after  # its callers import it from here
from nemochat.clients.network import CA_HINT, client_options, through_proxy, untrusted_certificate
from nemochat.clients.network import tls_context as tls_context  # re-exported
from nemochat.settings import Settings

SUPPORTED_UPLOADS = "video mp4 mov avi webm mkv; image jpg png gif webp; audio mp3 wav m4a aac"

ATTRIBUTION = {
    "X-Skill-Source": "nemochat",
    "X-Skill-Version": __version__,
    "X-Skill-Platform": "terminal",
}


def build_client(settings: Settings, *, base_url: str | None = None, auth_headers: bool = True) -> httpx.AsyncClient:
    """The API client. Requests carry attribution; no read timeout applies to
    streams (they set their own), others get ``request_timeout``."""
    timeout = httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout)
    base = base_url or settings.api_base
    return httpx.AsyncClient(
        base_url=base,
        headers={**ATTRIBUTION, "User-Agent": f"nemochat/{__version__}"} if auth_headers else {},
        timeout=timeout,
        follow_redirects=True,  # on the same origin only: see same_origin_only
        event_hooks={"request": [same_origin_only(base)]},
        **client_options(settings),  # proxies and trusted CAs (clients/network.py)
    )


def same_origin_only(base: str) -> Any:
    """A request hook refusing any request off the API's origin: a redirect to
    another host would carry our client id, token or key there (httpx drops
    only ``Authorization``), so it is not followed."""
    home = _origin(httpx.URL(base))

    async def check(request: httpx.Request) -> None:
        if _origin(request.url) != home:
            url = request.url
            raise BackendError(
                f"{home[1]} redirected us to {url.scheme}://{url.host}{f':{url.port}' if url.port else ''}: not followed",
                code="cross_origin_redirect",
                action="Check the backend address (or --api-base); nothing was sent to the other address.",
                key="redirect_elsewhere", who=home[1], where=f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}",
            )

    return check


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def build_download_client(settings: Settings) -> httpx.AsyncClient:
    """For CDN URLs: carries no credentials at all, by construction."""
    timeout = httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout)
    return httpx.AsyncClient(timeout=timeout, follow_redirects=True, **client_options(settings))


# -- redaction ------------------------------------------------------------------

_SECRET = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+|\b(nmv_[A-Za-z0-9_]+|clm_[A-Za-z0-9_-]+|sk-[A-Za-z0-9_-]{8,})")


def redact(text: str, *secrets: str | None) -> str:
    """Hide bearer tokens, NemoVideo/claim tokens, API keys and any given secrets."""
    text = hide(text)  # every key and token this process holds
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return _SECRET.sub(lambda m: (m.group(1) or "") + "[redacted]", text)


# -- responses → values or typed errors -----------------------------------------


def never_sent(exc: Exception) -> bool:
    """The request never left: no connection was made (refused, a name that
    does not resolve, a connect timeout). Repeating it is safe for any request."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)) and not untrusted_certificate(exc)


def no_answer(exc: Exception) -> bool:
    """The server never answered: not connected, or the connection was cut
    before a whole answer came. Safe to repeat only for requests that spend
    nothing (the server may have received it)."""
    return never_sent(exc) or isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError))


def network_error(exc: Exception, what: str, *, tries: int = 1) -> NetworkError:
    """One line a person can act on: what failed, where, why, and how often
    it was tried (no exception class names)."""
    proxy = through_proxy(exc)
    where = _host(exc) + proxy
    to = f" to {where}" if where else ""
    notes: list[Said] = [Said.of("network.tried", count=tries)] if tries > 1 else []
    if isinstance(exc, httpx.ConnectTimeout):
        problem, key = f"timed out connecting{to}", "network.connect_timeout"
    elif isinstance(exc, httpx.TimeoutException):
        problem, key = f"timed out waiting for an answer{' from ' + where if where else ''}", "network.timeout"
    elif isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        problem, key = f"the connection{to} was cut before an answer came", "network.cut"
    else:
        problem, key = f"could not connect{to}", "network.connect"
        reason = _connect_reason(exc)
        notes[:0] = [reason] if reason is not None else []
    return NetworkError(
        f"{what}: {problem}" + (f" ({'; '.join(notes)})" if notes else ""),
        action="" if untrusted_certificate(exc) else "Check your connection (or --api-base) and try again.",  # the CA hint says it
        key=key, what=what, host=_host(exc), proxy=proxy, notes=Said.of("network.notes", notes=tuple(notes)) if notes else "",
    )


def _host(exc: Exception) -> str:
    if not isinstance(exc, httpx.HTTPError):  # only httpx's errors carry their request
        return ""
    try:
        return exc.request.url.netloc.decode("ascii", "replace")
    except RuntimeError:  # an exception built without its request
        return ""


def _connect_reason(exc: BaseException) -> Said | None:
    """The cause in words, from the OS error under httpx's (refused, no such host...)."""
    seen: BaseException | None = exc
    if untrusted_certificate(exc):
        return Said.of("network.reason.tls", hint=CA_HINT)
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return Said.of("network.reason.dns")
        if isinstance(seen, ConnectionRefusedError):
            return Said.of("network.reason.refused")
        if isinstance(seen, ConnectionResetError):
            return Said.of("network.reason.reset")
        seen = seen.__cause__ or seen.__context__
    return None


def body_of(response: httpx.Response) -> Any:
    """The answer's JSON, or None when it is not JSON we can read (HTML,
    invalid UTF-8, nested too deep, empty)."""
    try:
        return json_safe.loads(response.content)
    except ValueError:
        return None


def check(response: httpx.Response, what: str) -> Any:
    """Return the ``data`` of a successful answer, else raise the typed error."""
    body = body_of(response)
    error = error_for(response.status_code, body, response.headers.get("Retry-After"), what)
    if error is not None:
        raise error
    if body is None and response.content.strip():
        raise unexpected(what, "not JSON (or JSON nested too deeply to read)")
    if body is not None and not isinstance(body, dict):
        raise unexpected(what, "not a JSON object")
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


def unexpected(what: str, why: str, who: str = "NemoVideo") -> BackendError:
    """An answer of the wrong shape: said as such (exit 5), never shown as
    facts it did not state (a balance of 0, an empty project)."""
    return BackendError(
        f"{who} answered something unexpected: {what[:1].lower() + what[1:]} got {why}",
        code="bad_answer",
        action="Try again in a moment; if it keeps happening, check --api-base (is it NemoVideo's API?).",
        key="bad_answer", who=who, what=what,
    )


def error_for(status: int, body: Any, retry_after: str | None, what: str) -> NemochatError | None:
    code, message = _code_and_message(body)
    if status < 400 and code in (None, 0, "0", 200):
        if isinstance(body, dict) and body.get("success") is False:
            return BackendError(f"{what} failed: {message or 'no reason given'}", code=code or "failed", key="failed", what=what)
        return None
    detail = message or f"HTTP {status}"
    if code in (1001, "1001") or status == 401:
        return TokenRejected(f"{what}: the token was rejected ({detail})", code=1001, key="token_rejected", what=what)
    if code in (1002, "1002") or (status == 404 and "session not found" in detail.lower()):
        return SessionNotFound(f"{what}: session not found", code=1002, key="session_not_found", what=what)
    if code in (2001, "2001"):
        return CreditsError(f"{what}: not enough credits", code=2001, key="credits", what=what)
    if code in (4001, "4001"):
        return _said_once(UsageError, what, "unsupported file type", detail, code=4001, action=f"Supported formats: {SUPPORTED_UPLOADS}.",
                          key="upload.file_type", formats=SUPPORTED_UPLOADS)
    if code in (4002, "4002"):
        return _said_once(UsageError, what, "file too large", detail, code=4002, action="Compress or trim it, then upload again.",
                          key="upload.too_large")
    if status == 402:
        return _said_once(
            CreditsError, what, "the free plan does not allow this", detail,
            code=402, action="Not a credits problem: register at nemovideo.ai to unlock export.", key="free_plan",
        )
    if status == 429:
        return RateLimited(f"{what}: rate limited", code=429, retry_after=parse_retry_after(retry_after), key="rate_limited", what=what)
    if status == 400 and "client" in detail.lower():
        return AuthError(f"{what}: the server wants a client id ({detail})", code=400, key="client_id", what=what)
    if status == 403:
        return AuthError(f"{what}: forbidden ({detail})", code=403, action="Check --token / NEMO_TOKEN.", key="forbidden", what=what)
    if status in (400, 422):
        return UsageError(f"{what}: the server refused the request ({detail})", code=status, key="refused", what=what)
    return BackendError(
        f"{what} failed: {detail}",
        code=code if code not in (None, 0) else status,
        action="Try again in a moment; if it keeps failing, the service may be down.",
        key="backend_failed", what=what,
    )


def _said_once(kind: type[NemochatError], what: str, problem: str, detail: str, *, code: int, action: str, key: str, **values: str) -> NemochatError:
    """``what: problem (detail)``, where only the part of the server's detail
    that we do not already say (in the problem or the action) is kept: the
    backend's own wording often repeats both ("file too large", "register at
    nemovideo.ai to unlock export")."""
    said = _words(f"{problem} {action}")
    clauses = _clauses(detail)
    kept = [part for part in clauses if not _repeats(part, said)]
    extra = detail.strip() if len(kept) == len(clauses) else "; ".join(kept)
    return kind(f"{what}: {problem}" + (f" ({extra})" if extra else ""), code=code, action=action, key=key, what=what, **values)


def _clauses(text: str) -> list[str]:
    """Split on ": ", "; " and ". " only, so URLs and file names stay whole."""
    return [part.strip(" .") for part in re.split(r"[:;.]\s+", text.strip()) if part.strip(" .")]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w(?:[\w.]*\w)?", text.lower()))  # "nemovideo.ai" is one word, "export." is "export"


def _repeats(clause: str, said: set[str]) -> bool:
    """Most of the clause's words are already said (a paraphrase counts)."""
    words = _words(clause)
    return bool(words) and len(words & said) >= 2 / 3 * len(words)


def _code_and_message(body: Any) -> tuple[Any, str]:
    if not isinstance(body, dict):
        return None, ""
    message = body.get("message") or body.get("msg") or body.get("detail") or body.get("error") or ""
    if not isinstance(message, str):
        message = json_safe.dumps_short(message)
    return body.get("code", body.get("errorCode")), message
