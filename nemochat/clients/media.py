"""NemoVideo's media endpoints: uploads, renders, and the download fallback.

Everything goes through ``NemoClient`` (its token, its safe retries), except
the render status poll, which reads the raw answer: it needs the HTTP status
(a 5xx while polling means "ask again", not "the render failed") and the
``Retry-After`` header of a successful answer.

Uploads are streamed from disk: httpx's multipart encoder reads each file in
64 KiB chunks through ``_CountingFile``, which also reports progress. Nothing
here reads a whole file into memory.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import httpx

from nemochat.clients.bounds import bounded_request, call_deadline
from nemochat.clients.http import body_of, error_for, network_error, parse_retry_after, unexpected
from nemochat.clients.nemo import APP, NemoClient
from nemochat.core.ui_events import UploadedFile
from nemochat.errors import BackendError, NetworkError, SessionNotFound, TokenRejected, UsageError

RENDER_PATH = "/api/render/proxy/lambda"

# protocol.md, "Supported upload formats": extension -> file type.
SUPPORTED_EXTENSIONS: dict[str, str] = {
    **dict.fromkeys(("mp4", "mov", "avi", "webm", "mkv"), "video"),
    **dict.fromkeys(("jpg", "png", "gif", "webp"), "image"),
    **dict.fromkeys(("mp3", "wav", "m4a", "aac"), "audio"),
}
CONTENT_TYPES = {
    "mp4": "video/mp4", "mov": "video/quicktime", "avi": "video/x-msvideo", "webm": "video/webm",
    "mkv": "video/x-matroska", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "webp": "image/webp", "mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "aac": "audio/aac",
}

RUNNING = frozenset({"pending", "queued", "processing", "rendering", "running", "in_progress"})
FINISHED = frozenset({"completed", "failed", "cancelled"})
_STATUS_ALIASES = {"succeeded": "completed", "success": "completed", "done": "completed", "complete": "completed",
                   "finished": "completed", "error": "failed", "canceled": "cancelled"}

Progress = Callable[[int, int], None]  # (bytes sent so far, bytes in all)


class PollAgain(BackendError):
    """A status poll got no usable answer (timeout, 5xx, 429): the render
    itself is fine as far as we know, so the caller asks again later."""

    default_code = "poll_again"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class RenderNotFound(BackendError):
    """The server has no render under this id (HTTP 404): a mistyped id, or
    one made with another token. The caller decides whether that is bad input."""

    default_code = "render_not_found"


@dataclass(frozen=True)
class RenderStatus:
    id: str
    status: str  # pending, processing, completed, failed, cancelled (unknown words pass through)
    progress: float  # 0-100
    url: str | None  # the output file, once completed
    reason: str | None  # why it failed
    retry_after: float | None = None  # the server's hint for the next poll

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True)
class UploadAnswer:
    files: tuple[UploadedFile, ...]
    applied: bool  # `session_state_applied`


def new_render_id() -> str:
    return f"render_{uuid.uuid4()}"


def parse_render_status(body: Any, render_id: str, retry_after: float | None = None) -> RenderStatus:
    """Any of protocol.md's three status shapes (already unwrapped or not) → one value:
    ``{success, data: {id, status, progress, outputUrl}}``,
    ``{status, progress, output: {url}}``, ``{taskId, status, progress, output: {url, ...}}``."""
    node: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    if isinstance(node.get("data"), Mapping) and "status" not in node:
        node = node["data"]
    raw_output = node.get("output")
    output: Mapping[str, Any] = raw_output if isinstance(raw_output, Mapping) else {}
    url = node.get("outputUrl") or node.get("output_url") or output.get("url") or node.get("url")
    raw = str(node.get("status") or "").strip().lower()
    reason = node.get("error") or node.get("reason") or node.get("errorMessage") or node.get("failReason")
    if isinstance(reason, Mapping):
        reason = reason.get("message") or str(dict(reason))
    return RenderStatus(
        id=str(node.get("id") or node.get("taskId") or node.get("renderId") or render_id),
        status=_STATUS_ALIASES.get(raw, raw or "unknown"),
        progress=_progress(node.get("progress")),
        url=url if isinstance(url, str) and url else None,
        reason=str(reason) if reason else None,
        retry_after=retry_after,
    )


def _progress(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(100.0, number)) if number == number else 0.0  # NaN → 0


def file_type_of(path: str | os.PathLike[str]) -> str | None:
    """The protocol's file type for a name (by extension), or None if unsupported."""
    return SUPPORTED_EXTENSIONS.get(Path(path).suffix.lower().lstrip("."))


class MediaClient:
    def __init__(self, nemo: NemoClient) -> None:
        self.nemo = nemo

    # -- uploads --------------------------------------------------------------------

    async def upload_files(self, session_id: str, paths: Sequence[Path], on_progress: Progress | None = None) -> UploadAnswer:
        """One multipart request, one ``files`` part per file, streamed from disk."""
        total = sum(p.stat().st_size for p in paths)
        counters: list[_CountingFile] = []

        def report() -> None:
            if on_progress is not None:
                on_progress(sum(c.position for c in counters), total)

        try:
            for path in paths:
                counters.append(_CountingFile(path.open("rb"), report))
            parts = [
                ("files", (utf8_name(path), counter, CONTENT_TYPES.get(path.suffix.lower().lstrip("."), "application/octet-stream")))
                for path, counter in zip(paths, counters, strict=False)
            ]
            data = await self.nemo.call("POST", self._upload_path(session_id), "Uploading", files=parts)
        finally:
            for counter in counters:
                counter.close()
        return _upload_answer(data)

    async def upload_urls(self, session_id: str, urls: Sequence[str]) -> UploadAnswer:
        body = {"urls": list(urls), "source_type": "url"}
        data = await self.nemo.call("POST", self._upload_path(session_id), "Adding the URLs", json=body)
        return _upload_answer(data)

    @staticmethod
    def _upload_path(session_id: str) -> str:
        return f"/api/upload-video/{APP}/me/{quote(session_id, safe='')}"

    # -- renders ----------------------------------------------------------------------

    async def submit_render(
        self,
        session_id: str,
        draft: Any,
        *,
        format: str = "mp4",
        quality: str = "high",
        new_id: Callable[[], str] = new_render_id,
    ) -> RenderStatus:
        """Start a render under a fresh id; an id the server already knows gets
        one more try under another id (protocol.md: a duplicate id is an error)."""
        for attempt in (1, 2):
            render_id = new_id()
            # camelCase sessionId: the protocol's one exception to snake_case.
            body = {"id": render_id, "sessionId": session_id, "draft": draft, "output": {"format": format, "quality": quality}}
            try:
                data = await self.nemo.call("POST", RENDER_PATH, "Starting the render", json=body)
            except BackendError as error:
                if attempt == 1 and _is_duplicate_id(error):
                    continue
                raise
            status = parse_render_status(data, render_id)
            # Why ours: the id we chose is the one every later call uses.
            return replace(status, id=render_id, status="pending" if status.status == "unknown" else status.status)
        raise AssertionError("unreachable")

    async def render_status(self, render_id: str) -> RenderStatus:
        """One poll. Raises ``PollAgain`` for answers that say nothing about the
        render (network trouble, 5xx, 429); typed errors for real refusals."""
        path = self._render_path(render_id)
        what = "Checking the render"
        try:
            await self.nemo.ensure_token()
            s = self.nemo.settings
            response = await bounded_request(self.nemo.http, "GET", path, what=what, max_bytes=s.json_answer_max_bytes,
                                             deadline=call_deadline(s), headers=self.auth_headers())
        except httpx.HTTPError as exc:
            raise PollAgain(str(network_error(exc, what))) from None
        except NetworkError as slow:  # past request_deadline: ask again later
            raise PollAgain(slow.message) from None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if response.status_code >= 500 or response.status_code == 429:
            raise PollAgain(f"{what}: HTTP {response.status_code}", retry_after=retry_after)
        body = body_of(response)
        error = error_for(response.status_code, body, response.headers.get("Retry-After"), what)
        if error is None and not isinstance(body, Mapping):  # an HTML page, a list: no news about the render, said so
            raise PollAgain(unexpected(what, "an answer that is not a JSON object").message, retry_after=retry_after)
        if isinstance(error, TokenRejected):
            # NemoClient owns token renewal: let it ask again with a new token.
            return replace(parse_render_status(await self.nemo.call("GET", path, what), render_id), id=render_id)
        status = parse_render_status(body, render_id, retry_after)
        if error is not None and status.status not in FINISHED:
            if response.status_code == 404 and not isinstance(error, SessionNotFound):
                raise RenderNotFound(f"{what}: NemoVideo has no render {render_id}", code=404, key="no_render", what=what, id=render_id)
            raise error  # a refusal (402...), not news about the render
        # Why ours: whatever id the answer carries, this render is asked for by ours.
        return replace(status, id=render_id)

    async def cancel_render(self, render_id: str) -> None:
        await self.nemo.call("POST", self._render_path(render_id) + "/cancel", "Cancelling the render")

    def proxy_download_url(self, render_id: str) -> str:
        """The API's own copy of the output (with auth, on the API host only)."""
        base = str(self.nemo.http.base_url).rstrip("/")
        return f"{base}/api/render/proxy/{quote(render_id, safe='')}/download"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.nemo.token}"} if self.nemo.token else {}

    @staticmethod
    def _render_path(render_id: str) -> str:
        return f"{RENDER_PATH}/{quote(render_id, safe='')}"


def _is_duplicate_id(error: BackendError) -> bool:
    text = error.message.lower()
    return error.code == "409" or "duplicate" in text or "already exists" in text


def _upload_answer(data: Any) -> UploadAnswer:
    data = data if isinstance(data, Mapping) else {}
    raw_files = data.get("files") if isinstance(data.get("files"), list) else []
    files = tuple(_uploaded(f) for f in raw_files if isinstance(f, Mapping))
    return UploadAnswer(files, bool(data.get("session_state_applied")))


def _uploaded(raw: Mapping[str, Any]) -> UploadedFile:
    def number(key: str) -> float | None:
        value = raw.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None

    width, height = number("width"), number("height")
    return UploadedFile(
        filename=str(raw.get("filename") or raw.get("name") or "?"),
        file_type=str(raw.get("file_type") or raw.get("type") or "?"),
        cdn_url=str(raw.get("cdn_url") or raw.get("url") or ""),
        duration=number("duration"),
        width=int(width) if width is not None else None,
        height=int(height) if height is not None else None,
        fps=number("fps"),
    )


class FileChanged(UsageError):
    """A local file changed size while it was being uploaded."""


def utf8_name(path: Path) -> str:
    """The file's name as text: a name that is not UTF-8 on disk (bytes kept
    as surrogates by Python) gets U+FFFD for its bad bytes."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _CountingFile:
    """A read-only file that reports how far the encoder has read it.

    httpx's multipart encoder calls ``seek(0)`` before each pass (a retried
    request reads the file again), then ``read(64 KiB)`` until the end; it
    finds the size for Content-Length with ``seek(0, SEEK_END)``: the size
    when the file was opened. A file that changes size while it uploads
    stops the upload before the request's end (``FileChanged``), so the
    server never takes a truncated or mixed copy for the whole file."""

    def __init__(self, file: BinaryIO, report: Callable[[], None]) -> None:
        self._file = file
        self._report = report
        self.position = 0
        self.size = os.fstat(file.fileno()).st_size
        self.name = getattr(file, "name", "the file")

    def read(self, size: int = -1) -> bytes:
        left = self.size - self.position
        chunk = self._file.read(left if size < 0 else min(size, left))
        if (not chunk and left > 0) or (left == len(chunk) and self._file.read(1)):  # shrank, or grew
            raise FileChanged(
                f"{utf8_name(Path(self.name))} changed while it was uploading: nothing was uploaded",
                action="Upload it again once it is complete.",
                key="upload.changed", name=utf8_name(Path(self.name)),
            )
        self.position += len(chunk)
        self._report()
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:  # the size it had when opened: what Content-Length declares
            offset, whence = self.size + offset, os.SEEK_SET
        self.position = self._file.seek(offset, whence)
        return self.position

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
