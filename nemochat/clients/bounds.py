"""Bounds on what a server can make us do: how long we wait
because it said so, how much we read, how deep we parse.

Every server byte is hostile until checked. A ``Retry-After`` of ``1e9``,
``inf`` or a date in 2099 is not a wait we make; an answer that inflates
(a gzip bomb) or trickles a byte a second is cut off at a bound; JSON nested
100k deep is a protocol error, not a RecursionError. Each bound is a setting.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from nemochat.errors import RateLimited
from datetime import UTC

if TYPE_CHECKING:
    import httpx

    from nemochat.settings import Settings

__all__ = ["Inflater", "bounded_request", "call_deadline", "parse_retry_after", "retry_wait"]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an
    HTTP date. ``None`` when absent or unreadable (garbage, NaN); a negative
    number or a past date is 0; ``inf`` stays infinite (``retry_wait`` refuses it)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        from datetime import datetime  # (imported when needed: start-up time)
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, as RFC 5322 means it
            when = when.replace(tzinfo=UTC)
        try:
            seconds = (when - datetime.now(UTC)).total_seconds()
        except OverflowError:
            return None
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def call_deadline(settings: Settings) -> float:
    """The whole-call deadline of a simple API call: ``request_deadline``,
    or twice ``request_timeout`` when that is less."""
    return min(settings.request_deadline, 2 * settings.request_timeout)


def retry_wait(retry_after: float | None, *, default: float, longest: float, what: str, action: str = "") -> float:
    """The wait before trying again: the server's ``retry_after`` (else
    ``default``). Longer than ``longest`` (the ``retry_after_max`` setting),
    it is not waited: ``RateLimited`` (exit 5) says when to try again."""
    wait = default if retry_after is None or math.isnan(retry_after) else max(0.0, retry_after)
    if wait <= longest:
        return wait
    raise RateLimited(
        f"{what}: the server asks us to wait {_duration(wait)}, longer than the {longest:.0f} s we wait (retry_after_max)",
        code=429,
        action=(action + " " if action else "") + f"Try again {_when(wait)}.",
        key="rate_limited.wait", what=what,
    )


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds > 365 * 86400:
        return "more than a year"
    if seconds >= 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _when(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds > 365 * 86400:
        return "much later"
    at = time.localtime(time.time() + seconds)
    if seconds < 86400:
        return "after " + time.strftime("%H:%M", at)
    return "after " + time.strftime("%Y-%m-%d %H:%M", at)


# -- answers: size, encoding, a whole-request deadline -------------------------------

PIECE = 1 << 20  # decompressed bytes produced at a time from one network chunk
JSON_ANSWER_MAX_BYTES = 8 * 1024 * 1024  # the default of the json_answer_max_bytes setting, for clients without settings


class Inflater:
    """A ``Content-Encoding`` undone a bounded piece at a time: a 1 MB gzip
    bomb never becomes 2 GB in memory (httpx inflates a whole network chunk
    at once). Unknown encodings are refused: we never asked for them."""

    def __init__(self, encoding: str | None) -> None:
        import zlib

        name = (encoding or "identity").strip().lower()
        if name in ("", "identity"):
            self._z = None
        elif name in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif name == "deflate":
            self._z = zlib.decompressobj()
            self._raw_deflate_next = True  # some servers send raw deflate, without the zlib header (httpx tries both too)
        else:
            raise ValueError(f"an encoding we did not ask for ({name[:40]})")

    @property
    def identity(self) -> bool:
        return self._z is None

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``chunk``, each at most PIECE bytes, made one
        at a time as they are taken (a consumer past its bound stops the rest
        from being made); ValueError for a body that does not decompress."""
        if self._z is None:
            if chunk:
                yield chunk
            return
        import zlib

        data, made = chunk, False
        while data:
            try:
                piece = self._z.decompress(data, PIECE)
            except zlib.error as exc:
                if getattr(self, "_raw_deflate_next", False) and not made and data is chunk:
                    self._raw_deflate_next = False
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    yield from self.feed(chunk)
                    return
                raise ValueError(f"a body that does not decompress ({exc})") from None
            self._raw_deflate_next = False
            if piece:
                made = True
                yield piece
            data = self._z.unconsumed_tail
            if self._z.eof:
                break


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def bounded_request(
    http: httpx.AsyncClient, method: str, url: str, *, what: str, who: str = "NemoVideo",
    max_bytes: int, deadline: float | None, **kwargs: Any,  # httpx's own keywords, passed through (typed there)
) -> httpx.Response:
    """``http.request(...)``, read within bounds: at most ``max_bytes`` of
    decoded body (the ``json_answer_max_bytes`` setting) and, unless
    ``deadline`` is None, the whole exchange within ``deadline`` seconds (the
    ``request_deadline`` setting: a server trickling a byte at a time never
    trips the per-read timeout). The answer's ``.json()``/``.text`` work as usual.

    Raises httpx's errors as they are (the callers' retry policies read them),
    ``NetworkError`` past the deadline and ``BackendError`` for a body too
    large or undecodable."""
    import asyncio

    from nemochat.errors import BackendError, NetworkError

    async def exchange() -> httpx.Response:
        request = http.build_request(method, url, **kwargs)
        response = await http.send(request, stream=True)
        try:
            try:
                inflater = Inflater(response.headers.get("content-encoding"))
            except ValueError as bad:
                raise BackendError(f"{who} answered something unexpected: {what[:1].lower() + what[1:]} got {bad}", code="bad_answer",
                                   key="bad_answer", who=who, what=what) from None
            body = bytearray()
            # (an answer made in memory, as a test transport's, comes already read)
            chunks = response.aiter_raw() if not hasattr(response, "_content") else _once(response.content)
            async for chunk in chunks:
                pieces = inflater.feed(chunk) if not hasattr(response, "_content") else iter((chunk,))
                try:
                    for piece in pieces:
                        body += piece
                        if len(body) > max_bytes:
                            raise BackendError(
                                f"{who} answered something unexpected: the answer to {what[:1].lower() + what[1:]} is larger than "
                                f"{max_bytes / 1e6:.0f} MB (json_answer_max_bytes); not read further",
                                code="too_large", key="too_large", who=who, what=what, size=f"{max_bytes / 1e6:.0f}",
                            )
                except ValueError as bad:
                    raise BackendError(f"{who} answered something unexpected: {what[:1].lower() + what[1:]} got {bad}", code="bad_answer",
                                   key="bad_answer", who=who, what=what) from None
        finally:
            await response.aclose()
        response._content = bytes(body)  # what .read() would have kept: .json() and .text read it
        return response

    if deadline is None:
        return await exchange()
    try:
        async with asyncio.timeout(deadline):
            return await exchange()
    except TimeoutError:
        raise NetworkError(
            f"{what}: no whole answer within {deadline:.0f} s (request_deadline, at most twice request_timeout)",
            code="timeout",
            action="The server is answering too slowly; try again later.",
            key="network.deadline", what=what,
        ) from None
