"""Downloads that never lose a file: the bytes fetched into ``NAME.part``
(where the file goes, and its move there once whole: ``destination.py``).

- A dropped connection resumes with ``Range`` and ``If-Range`` (a 200
  instead of a 206 means the file changed: start over); so does the next run
  after a killed one, from the part it left and its ``NAME.part.json`` (the
  URL and validator it was fetching); the size is checked against
  Content-Length / Content-Range; only a complete file is committed.
- The render's output URL is fetched with a client that carries no
  credentials; the bearer token goes only to the API's own host (the proxy
  fallback), and never follows a redirect elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from nemochat.app.destination import commit, part_path
from nemochat.app.transfer_meter import Clock, Emit, Meter
from nemochat.core.ui_events import Notice
from nemochat.errors import BackendError, UsageError

MAX_REDIRECTS = 5


class DownloadError(BackendError):
    default_code = "download"


@dataclass(frozen=True)
class Source:
    """One way to get the file: a URL, the client to use, and its headers
    (credentials only for the API's own host)."""

    url: str
    client: httpx.AsyncClient
    headers: Mapping[str, str] = field(default_factory=dict)
    name: str = "the output URL"


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme.lower(), a.hostname, a.port or _port(a.scheme)) == (b.scheme.lower(), b.hostname, b.port or _port(b.scheme))


def _port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme.lower())


async def fetch(source: Source, part: Path, meter: Meter, *, resumes: int, emit: Emit, cdn: httpx.AsyncClient) -> int:
    """Download ``source`` into ``part``; returns its size. Resumes after a
    dropped connection up to ``resumes`` times; raises ``DownloadError``."""
    part.parent.mkdir(parents=True, exist_ok=True)
    state = _left_by_a_killed_run(part, source.url)
    if state.offset:
        emit(Notice(f"Resuming the download left at {_size(state.offset)}.", kind="recovery", key="download.resuming",
                    values=(("size", _size(state.offset)),)))
    else:
        part.unlink(missing_ok=True)  # a stale part (or a planted link) is never written through
        part.open("xb").close()
    redirects = 0
    while True:
        try:
            outcome = await _one_request(source, part, meter, state)
        except httpx.UnsupportedProtocol as exc:  # a redirect to file://, ftp://...: not a dropped connection
            raise DownloadError(f"Downloading from {source.name}: redirected to a {_scheme(exc)} URL, not followed", code="bad_redirect",
                                key="download.bad_redirect", who=source.name, scheme=_scheme(exc)) from None
        except (httpx.TransportError, _ShortBody) as exc:
            state.drops += 1
            if state.drops > resumes:
                raise DownloadError(f"Downloading from {source.name}: the connection kept dropping ({_why(exc)})",
                                    key="download.dropping", who=source.name, reason=_why(exc)) from None
            if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
                emit(Notice(f"Could not reach {source.name} ({_why(exc)}); trying again.", kind="recovery",
                            key="download.unreachable", values=(("who", source.name), ("reason", _why(exc)))))
            elif state.validator and state.offset:
                where = f"at {_size(state.offset)}" + (f" of {_size(state.total)}" if state.total else "")
                emit(Notice(f"The download dropped {where}; resuming.", kind="recovery", key="download.resuming_at",
                            values=(("offset", _size(state.offset)), ("total", _size(state.total) if state.total else "?"))))
            else:
                emit(Notice("The download dropped; starting it again.", kind="recovery", key="download.restarting"))
            meter.restart()
            continue
        if isinstance(outcome, str):  # a redirect
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise DownloadError(f"Downloading from {source.name}: too many redirects", key="download.redirects", who=source.name)
            # Why the plain client: credentials stay with the host they were meant for.
            target = urljoin(source.url, outcome)
            keep = bool(source.headers) and same_origin(target, source.url)
            source = Source(target, source.client if keep else cdn, source.headers if keep else {}, source.name)
            continue
        return outcome


@dataclass
class _Progress:
    offset: int = 0  # bytes in the part file
    total: int | None = None
    validator: str | None = None  # ETag or Last-Modified, for If-Range
    drops: int = 0


class _ShortBody(Exception):
    """The server closed cleanly but sent fewer bytes than it announced."""


async def _one_request(source: Source, part: Path, meter: Meter, state: _Progress) -> int | str:
    # identity: byte offsets and Content-Length must count the file's own bytes.
    headers = {**source.headers, "Accept-Encoding": "identity"}
    if state.offset and state.validator:
        headers["Range"] = f"bytes={state.offset}-"
        headers["If-Range"] = state.validator
    else:
        state.offset = 0  # no validator: a resume could splice two versions; start over
    follow = not source.headers  # authed requests follow redirects by hand (see fetch)
    async with source.client.stream("GET", source.url, headers=headers, follow_redirects=follow) as response:
        if response.is_redirect and "location" in response.headers:
            return response.headers["location"]
        status = response.status_code
        if status == 416 and state.offset and _range_size(response) == state.offset:
            return state.offset  # we already had every byte
        if status == 206 and state.offset:
            start, size = _content_range(response)
            if start != state.offset:
                raise DownloadError(f"Downloading from {source.name}: the server resumed at the wrong place", key="download.wrong_place", who=source.name)
            state.total, mode = size, "ab"
        elif status == 200:
            state.offset, mode = 0, "wb"  # a 200 to a Range request: the whole file again
            state.total = _int(response.headers.get("content-length"))
            meter.restart()
        else:
            raise DownloadError(f"Downloading from {source.name}: HTTP {status}", code=status, key="download.http", who=source.name, status=status)
        state.validator = _validator(response)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            # Compressed though we asked it not to be: what it inflates to is
            # unbounded (a 1 MB gzip bomb is a 1 GB file), and sizes and ranges
            # would count other bytes than the file's.
            raise DownloadError(f"Downloading from {source.name}: the server compressed the file though we asked it not to ({encoding[:20]}); nothing saved",
                                key="download.compressed", who=source.name, encoding=encoding[:20])
        _remember(part, source.url, state)  # so a killed run's next one can resume
        with part.open(mode, buffering=0) as out:
            # No chunk size, no buffer: every piece is in the file as it arrives, so
            # a drop (or kill -9) loses nothing.
            async for chunk in response.aiter_bytes():  # (identity: the bytes as sent)
                if state.total is not None and state.offset + len(chunk) > state.total:
                    raise DownloadError(f"Downloading from {source.name}: the server sent more than the {state.total} bytes it announced; nothing saved",
                                        key="download.too_much", who=source.name, total=state.total)
                _write_all(out, chunk)
                state.offset += len(chunk)
                meter.update(state.offset, state.total)
            out.flush()
            os.fsync(out.fileno())
    if state.total is not None and state.offset < state.total:
        raise _ShortBody(f"{state.offset} of {state.total} bytes")
    if state.total is not None and state.offset != state.total:
        raise DownloadError(f"Downloading from {source.name}: got {state.offset} bytes, expected {state.total}", key="download.short",
                            who=source.name, got=state.offset, total=state.total)
    return state.offset


def _write_all(out: Any, data: bytes) -> None:
    view = memoryview(data)
    while view:  # an unbuffered write may take only part of it
        view = view[out.write(view):]


def _resume_file(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _remember(part: Path, url: str, state: _Progress) -> None:
    """What a later run needs to resume this part: the URL (its path), the
    validator for If-Range and the size. Without a validator, nothing."""
    note = _resume_file(part)
    note.unlink(missing_ok=True)
    if state.validator:
        with open(os.open(note, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
            json.dump({"url": _without_query(url), "validator": state.validator, "total": state.total}, out)


def _left_by_a_killed_run(part: Path, url: str) -> _Progress:
    """The part a killed run left for this same URL, as a place to resume
    from; else nothing (and nothing of it is trusted: a regular file, its
    note naming this URL, no more bytes than the file has)."""
    note = _resume_file(part)
    try:
        if not (stat.S_ISREG(os.lstat(part).st_mode) and stat.S_ISREG(os.lstat(note).st_mode)):
            return _Progress()
        saved = json.loads(note.read_text(encoding="utf-8"))
        size = os.lstat(part).st_size
    except (OSError, ValueError):
        return _Progress()
    if not isinstance(saved, dict) or saved.get("url") != _without_query(url) or not isinstance(saved.get("validator"), str):
        return _Progress()
    total = saved.get("total")
    total = total if isinstance(total, int) and not isinstance(total, bool) else None
    if size <= 0 or (total is not None and size > total):
        return _Progress()
    return _Progress(offset=size, total=total, validator=saved["validator"])


def _without_query(url: str) -> str:
    """Signed CDN URLs change their query from one status answer to the next."""
    return url.split("?", 1)[0].split("#", 1)[0]


_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def _content_range(response: httpx.Response) -> tuple[int, int | None]:
    match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
    if not match:
        raise DownloadError("Downloading: a partial answer without a valid Content-Range", key="download.no_range")
    size = match.group(3)
    return int(match.group(1)), int(size) if size != "*" else None


def _range_size(response: httpx.Response) -> int | None:
    match = re.match(r"bytes\s+\*/(\d+)", response.headers.get("content-range", ""))
    return int(match.group(1)) if match else None


def _validator(response: httpx.Response) -> str | None:
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):  # If-Range needs a strong validator
        return etag
    return response.headers.get("last-modified")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _scheme(exc: httpx.UnsupportedProtocol) -> str:
    try:
        scheme = exc.request.url.scheme
    except (AttributeError, RuntimeError):
        return "non-http(s)"
    return f"{scheme}://" if scheme.isascii() and scheme.isalnum() else "non-http(s)"


def _why(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _size(n: float | None) -> str:
    n = float(n or 0)
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


async def download(
    sources: list[Source],
    target: Path,
    *,
    force: bool,
    emit: Emit,
    cdn: httpx.AsyncClient,
    resumes: int = 5,
    task: str = "download",
    clock: Clock = time.monotonic,
) -> tuple[Path, Source]:
    """Try each source in turn until one gives the whole file; returns the
    final path (maybe ``name (2).mp4``) and the source that worked."""
    part = part_path(target)
    meter = Meter(emit, task, "Downloading", clock=clock)
    last_error: DownloadError | None = None
    size = 0
    try:
        for index, source in enumerate(sources):
            try:
                size = await fetch(source, part, meter, resumes=resumes, emit=emit, cdn=cdn)
            except DownloadError as error:
                last_error = error
                if index + 1 < len(sources):
                    emit(Notice(f"{error.message}; trying {sources[index + 1].name} instead.", kind="recovery", key="download.next",
                                values=(("who", source.name), ("next", sources[index + 1].name))))
                continue
            meter.update(size, size, force=True)
            return commit(part, target, force=force), source
    except OSError as exc:  # our side: permissions, a full disk, a read-only folder
        raise UsageError(
            f"Cannot write {target}: {exc.strerror or exc}",
            action="Choose another place with -o PATH (or free some space), then fetch it again.",
            key="download.cannot_write", target=target, reason=exc.strerror or exc,
        ) from None
    finally:
        meter.finish()  # on every way out: no bar is left running
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)  # after a commit there is nothing left; after a failure, no litter
            _resume_file(part).unlink(missing_ok=True)
    raise last_error or DownloadError("Downloading: nowhere to download from", key="download.nowhere")
