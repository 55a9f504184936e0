"""Upload: local files and public URLs into the session, in one go.

Every input is checked before any request (``plan_upload``): a local path
must exist, be a file, have a supported extension (protocol.md) and be
readable; a URL must be http(s). One bad input refuses the lot, listing every
problem, so nothing is half-uploaded. Files are streamed from disk with a
progress bar (clients.media). Afterwards the session state is read and shown,
so the user sees the backend put the files on the timeline.

``upload_items`` prints nothing: it reports through UI events (progress,
``UploadDone``, ``StateShown``) and returns an ``UploadResult``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from nemochat.app.transfer_meter import Meter
from nemochat.clients.http import SUPPORTED_UPLOADS
from nemochat.clients.media import MediaClient, UploadAnswer, file_type_of, utf8_name
from nemochat.core.draft import Timeline
from nemochat.core.texts import Said
from nemochat.core.ui_events import Notice, StateShown, UIEvent, UploadDone, UploadedFile
from nemochat.errors import BackendError, UsageError

if TYPE_CHECKING:
    from nemochat.app.conversation import Conversation
    from nemochat.core.router import Intent

Emit = Callable[[UIEvent], None]


@dataclass(frozen=True)
class UploadPlan:
    files: tuple[Path, ...]
    urls: tuple[str, ...]


@dataclass(frozen=True)
class UploadResult:
    files: tuple[UploadedFile, ...]
    applied: bool
    timeline: Timeline | None  # the state read afterwards (None if it could not be read)


def plan_upload(items: Sequence[str]) -> UploadPlan:
    """Check every input; raise one UsageError naming every problem."""
    if not items:
        raise UsageError("Nothing to upload.", action="Give files or URLs: nemochat upload clip.mp4 https://example.com/b.png", key="upload.nothing")
    files: list[Path] = []
    urls: list[str] = []
    problems: list[Said] = []
    for item in items:
        scheme = urlsplit(item).scheme.lower() if "://" in item else ""
        if scheme in ("http", "https"):
            if urlsplit(item).netloc:
                urls.append(item)
            else:
                problems.append(Said.of("upload.problem.incomplete_url", item=item))
        elif scheme and scheme != "file":
            problems.append(Said.of("upload.problem.scheme", item=item))
        else:
            path = Path(unquote(urlsplit(item).path)) if scheme else Path(item).expanduser()
            problem = _check_file(path)
            if problem:
                problems.append(problem)
            else:
                files.append(path)
    if problems:
        unsupported = any(p.key.startswith("upload.problem.format") for p in problems)
        raise UsageError(
            "Cannot upload: " + "; ".join(problems),
            action=f"Supported formats: {SUPPORTED_UPLOADS}." if unsupported else "Check the paths and try again.",
            key="upload.cannot_formats" if unsupported else "upload.cannot", problems=tuple(problems), formats=SUPPORTED_UPLOADS,
        )
    return UploadPlan(tuple(dict.fromkeys(files)), tuple(dict.fromkeys(urls)))


def _check_file(path: Path) -> Said | None:
    if not path.exists():
        return Said.of("upload.problem.no_file", path=path)
    if not path.is_file():
        return Said.of("upload.problem.not_file", path=path)
    if file_type_of(path) is None:
        return Said.of("upload.problem.format", name=path.name, suffix=path.suffix) if path.suffix else Said.of("upload.problem.format_none", name=path.name)
    if not os.access(path, os.R_OK):
        return Said.of("upload.problem.unreadable", path=path)
    try:
        with path.open("rb") as probe:
            probe.read(1)
    except OSError as exc:
        return Said.of("upload.problem.cannot_read", path=path, reason=exc.strerror or exc)
    return None


async def upload_items(conversation: Conversation, items: Sequence[str], *, emit: Emit | None = None) -> UploadResult:
    """Check, upload (files streamed, then URLs), and show the new state."""
    plan = plan_upload(items)  # before any request, even the session's
    emit = emit or conversation.emit
    media = MediaClient(conversation.nemo)
    answers: list[UploadAnswer] = []
    if plan.files:
        meter = Meter(emit, "upload", _label(plan.files))
        try:
            answer = await conversation.session_call(
                lambda session_id: media.upload_files(session_id, list(plan.files), lambda done, total: meter.update(done, total))
            )
        finally:
            meter.finish()  # on every way out: no bar is left running
        answers.append(answer)
    if plan.urls:
        answers.append(await conversation.session_call(lambda session_id: media.upload_urls(session_id, list(plan.urls))))
    files = tuple(f for a in answers for f in a.files)
    applied = all(a.applied for a in answers)
    emit(UploadDone(files, applied))
    timeline = None
    try:
        timeline = await conversation.read_timeline()
    except BackendError:
        emit(Notice("Uploaded, but the project state could not be read to show it.", kind="warning", key="upload.state_unread"))
    else:
        emit(StateShown(timeline))
    return UploadResult(files, applied, timeline)


async def upload_intent(conversation: Conversation, intent: Intent) -> UploadResult:
    """"upload PATH...", "上传 ...", or files dropped into the chat (Conversation.handlers)."""
    return await upload_items(conversation, intent.paths)


def _label(files: Sequence[Path]) -> str:
    return f"Uploading {utf8_name(files[0])}" if len(files) == 1 else f"Uploading {len(files)} files"
