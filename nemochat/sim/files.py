"""Serving files the way a CDN does: Content-Length, ``Accept-Ranges``,
``Range`` -> 206 with ``Content-Range``, ``If-Range``, 416, plus the
drop-halfway fault.

The media are the package's own files (``nemochat/sim/media/``), loaded with
importlib.resources so a non-editable install serves them too.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from email.utils import formatdate
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from nemochat.sim.faults import SimulatedDrop

CONTENT_TYPES = {".mp4": "video/mp4", ".png": "image/png"}
# What media/clip.mp4 is (10 s, 320x180, 24 fps, H.264; made by fixtures/media/make_clip.py).
CLIP_INFO = {"duration": 10.0, "width": 320, "height": 180, "fps": 24}


@dataclass(frozen=True)
class MediaFile:
    name: str
    data: bytes
    content_type: str
    etag: str
    last_modified: str


@functools.cache
def media(name: str) -> MediaFile | None:
    """A file of nemochat/sim/media, or None if there is no such file."""
    if "/" in name or "\\" in name:
        return None
    resource = resources.files("nemochat.sim").joinpath("media", name)
    if not resource.is_file():
        return None
    data = resource.read_bytes()
    suffix = name[name.rfind("."):]
    return MediaFile(name, data, CONTENT_TYPES.get(suffix, "application/octet-stream"),
                     f'"{hashlib.sha256(data).hexdigest()[:16]}"',
                     formatdate(1_700_000_000, usegmt=True))


def file_response(request: Request, file: MediaFile, *, drop_halfway: bool = False) -> Response:
    """The whole file (200), or the asked range (206/416). With `drop_halfway`,
    a full download announces every byte and then stops in the middle."""
    size = len(file.data)
    headers = {"Accept-Ranges": "bytes", "ETag": file.etag, "Last-Modified": file.last_modified}
    wanted = _requested_range(request, file, size)
    if isinstance(wanted, str):  # "unsatisfiable", the only string it gives
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        response_type = _HalfThenDrop if drop_halfway else Response
        return response_type(file.data, media_type=file.content_type, headers=headers)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(file.data[start:end + 1], status_code=206,
                    media_type=file.content_type, headers=headers)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _requested_range(request: Request, file: MediaFile, size: int) -> tuple[int, int] | str | None:
    header = request.headers.get("range")
    if header is None:
        return None
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range not in (file.etag, file.last_modified):
        return None  # the client's copy is stale: send it all again
    match = _RANGE.match(header.strip())
    if match is None or match.groups() == ("", ""):
        return None  # multiple or malformed ranges: RFC 9110 lets us ignore them
    first, last = match.groups()
    if first == "":  # a suffix: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return "unsatisfiable"
    return start, end


class _HalfThenDrop(Response):
    """Headers with the full Content-Length, half the body, then a cut connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2],
                    "more_body": True})
        raise SimulatedDrop("download_drop_once")
