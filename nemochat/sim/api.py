"""The NemoVideo endpoints with the ``{"code": 0, "data": ...}`` envelope, and
``/run_sse`` (ADK's endpoint, with ADK's pre-stream errors).

Every handler is ``async def handler(request, world) -> Response``; app.py
records the request and turns an ``ApiError`` into its answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import posixpath
import urllib.parse
from typing import Any
from collections.abc import AsyncIterator

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from nemochat.sim import agent, draft as drafts
from nemochat.sim.files import CLIP_INFO, media
from nemochat.sim.guards import ApiError, authenticate, base_url, code_error, json_body, ok, session_of
from nemochat.sim.stream import StreamFaults, Turn
from nemochat.sim.world import Session, SimWorld, TokenRateLimited, Upload

FILE_TYPES = {
    **dict.fromkeys(("mp4", "mov", "avi", "webm", "mkv"), "video"),
    **dict.fromkeys(("jpg", "png", "gif", "webp"), "image"),
    **dict.fromkeys(("mp3", "wav", "m4a", "aac"), "audio"),
}
IMAGE_SLOT_MS = 3000  # how long an uploaded still stays on the timeline


async def anonymous_token(request: Request, world: SimWorld) -> Response:
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id:
        raise ApiError(400, {"code": 400, "message": "missing X-Client-Id"})
    if world.settings.token_hold_s:
        await asyncio.sleep(world.settings.token_hold_s)
    try:
        token = world.issue_token(client_id)
    except TokenRateLimited as limited:
        raise ApiError(429, {"code": 429, "message": "a token was already issued to this client"},
                       {"Retry-After": str(limited.retry_after)}) from None
    return ok({"token": token.value, "user_id": token.user_id,
               "expires_at": token.expires_at.isoformat().replace("+00:00", "Z"),
               "credits": world.user(token.user_id).credits})


async def create_session(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request)
    body = await json_body(request) or {}
    session = world.create_session(user.user_id, str(body.get("task_name") or "project"),
                                   str(body.get("language") or "en"))
    return ok({"task_id": session.task_id, "session_id": session.session_id,
               "user_id": session.user_id})


async def claim_token(request: Request, world: SimWorld) -> Response:
    if world.take_fault("no_claim_endpoint"):
        raise ApiError(404, {"detail": "Not Found"})
    user = authenticate(world, request)
    body = await json_body(request) or {}
    session = session_of(world, user, body.get("session_id"))
    if body.get("task_id") != session.task_id:
        raise code_error(1002, "task does not match the session")
    return ok({"claim_token": world.issue_claim(session.session_id), "expires_in": 604800})


async def credits(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request)
    return ok({"available": user.credits, "frozen": user.frozen, "total": user.credits + user.frozen})


async def state(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request)
    session = session_of(world, user, request.path_params["session_id"])
    return ok({"session_id": session.session_id, "user_id": session.user_id,
               "state": session.state()})


async def run_sse(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request)
    body = await json_body(request)
    problems = _run_body_problems(body)
    if problems:
        return JSONResponse({"detail": problems}, status_code=422)
    session_id = body["session_id"]
    session = world.session(session_id)
    if (session is None or session.user_id != user.user_id
            or world.take_fault("error_code", lambda f: f.code == 1002)):
        return JSONResponse({"detail": f"Session not found: {session_id}"}, status_code=404)

    recorded = world.take_fault("replay_stream")
    if recorded is not None:
        return StreamingResponse(_recorded(recorded.path, recorded.chunk, recorded.pace_s, recorded.per_event), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    message = "".join(p.get("text", "") for p in body["new_message"]["parts"] if isinstance(p, dict))
    world.edit_session(session_id, lambda s: s.messages.append(message))
    script = agent.pick_script(agent.TurnContext(
        message, base_url(request) + "/cdn/media", world.settings.generation_cost, session.draft))
    if script.cost and (world.take_fault("error_code", lambda f: f.code == 2001)
                        or not world.charge(user.user_id, script.cost)):
        raise code_error(2001, user_id=user.user_id, required=script.cost,
                         available=world.user(user.user_id).credits)

    faults = StreamFaults(*(world.take_fault(name) for name in (
        "drop_stream_after", "error_event", "error_code_event", "slow_heartbeats")))
    turn = Turn(world, session_id, user.user_id, script, world.faults.payload_shape, faults)
    turn.start()
    return StreamingResponse(turn.frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _recorded(path: str, chunk: int, pace_s: float, per_event: bool = False) -> AsyncIterator[bytes]:
    """A recorded stream: as fast as it is read (in ``chunk``-byte writes, or
    a write per event), or one event per ``pace_s``."""
    with open(path, "rb") as recording:
        if pace_s <= 0 and per_event:
            for event in recording.read().split(b"\n\n"):
                if event.strip():
                    yield event + b"\n\n"  # (each yield is one write)
            return
        if pace_s <= 0:
            while data := recording.read(chunk):
                yield data
            return
        events = [e + b"\n\n" for e in recording.read().split(b"\n\n") if e.strip()]
    loop = asyncio.get_running_loop()
    start, sent = loop.time(), 0
    while sent < len(events):
        due = min(len(events), int((loop.time() - start) / pace_s) + 1)  # every event whose time has come, in one write
        if due > sent:
            yield b"".join(events[sent:due])
            sent = due
        else:
            await asyncio.sleep(start + sent * pace_s - loop.time())


def _run_body_problems(body: Any) -> list[dict[str, Any]]:
    """FastAPI-style 422 details for a body RunAgentRequest would reject."""
    if not isinstance(body, dict):
        return [{"type": "model_attributes_type", "loc": ["body"],
                 "msg": "Input should be a valid dictionary or object"}]
    problems = [{"type": "missing", "loc": ["body", name], "msg": "Field required"}
                for name in ("app_name", "user_id", "session_id")
                if not isinstance(body.get(name), str) or not body[name]]
    message = body.get("new_message")
    parts = message.get("parts") if isinstance(message, dict) else None
    if not isinstance(parts, list) or not parts:
        problems.append({"type": "missing", "loc": ["body", "new_message", "parts"],
                         "msg": "Field required"})
    return problems


async def upload(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request)
    session = session_of(world, user, request.path_params["session_id"])
    fault = world.take_fault("error_code", lambda f: f.code in (4001, 4002))
    if fault:
        raise code_error(fault.code)
    base = base_url(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        files = _url_files(await json_body(request), base)
    else:
        async with request.form(max_files=100) as form:
            parts = [p for p in form.getlist("files") if isinstance(p, UploadFile)]
            if not parts:
                raise ApiError(400, {"code": 400, "message": "no file in the 'files' field"})
            files = [await _stored_file(part, world.settings.upload_max_bytes, base) for part in parts]
    sizes = [f.pop("size") for f in files]  # recorded, but not part of the answer
    world.add_uploads([Upload(session.session_id, f["filename"], f["file_type"], size, f["hash"],
                              f["cdn_url"]) for f, size in zip(files, sizes, strict=False)],
                      lambda s: _apply_uploads(s, files))
    return ok({"files": files, "session_state_applied": True})


async def _stored_file(part: UploadFile, max_bytes: int, base: str) -> dict[str, Any]:
    filename = posixpath.basename(part.filename or "upload")
    file_type = _file_type(filename)
    if part.size is not None and part.size > max_bytes:
        raise code_error(4002, f"{filename} is larger than {max_bytes} bytes")
    digest, head, size = hashlib.sha256(), b"", 0
    while chunk := await part.read(1 << 20):
        digest.update(chunk)
        head, size = head or chunk[:32], size + len(chunk)
    sha = digest.hexdigest()
    return {"filename": filename, "file_type": file_type,
            "cdn_url": f"{base}/cdn/uploads/{sha[:16]}/{urllib.parse.quote(filename)}",
            **_media_info(file_type, head, sha), "hash": sha, "size": size}


def _url_files(body: Any, base: str) -> list[dict[str, Any]]:
    urls = body.get("urls") if isinstance(body, dict) else None
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise ApiError(400, {"code": 400, "message": "expected {\"urls\": [...], \"source_type\": \"url\"}"})
    files = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise code_error(4001, f"not a public http(s) URL: {url}")
        filename = posixpath.basename(parts.path) or "video.mp4"
        file_type = _file_type(filename if "." in filename else filename + ".mp4")
        sha = hashlib.sha256(url.encode()).hexdigest()
        files.append({"filename": filename, "file_type": file_type,
                      "cdn_url": f"{base}/cdn/uploads/{sha[:16]}/{urllib.parse.quote(filename)}",
                      **_media_info(file_type, b"", sha), "hash": sha, "size": None})
    return files


def _file_type(filename: str) -> str:
    extension = filename.rpartition(".")[2].lower()
    if extension not in FILE_TYPES:
        raise code_error(4001, f"unsupported file type: {filename}", supported=sorted(FILE_TYPES))
    return FILE_TYPES[extension]


def _media_info(file_type: str, head: bytes, sha: str) -> dict[str, Any]:
    """duration (s) / width / height / fps: true for the sim's own clip and for
    PNGs (read from the header), plausible for anything else."""
    clip = media("clip.mp4")
    if clip is not None and sha == hashlib.sha256(clip.data).hexdigest():
        return dict(CLIP_INFO)
    if file_type == "image":
        width, height = 1080, 1080
        if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
            width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        return {"duration": None, "width": width, "height": height, "fps": None}
    if file_type == "audio":
        return {"duration": 30.0, "width": None, "height": None, "fps": None}
    return {"duration": 10.0, "width": 1920, "height": 1080, "fps": 30}


def _apply_uploads(session: Session, files: list[dict[str, Any]]) -> None:
    for info in files:
        session.video_infos.append(dict(info))
        length_ms = int((info["duration"] or 0) * 1000) or IMAGE_SLOT_MS
        seg = drafts.segment(info["filename"], 0, length_ms, u=info["cdn_url"])
        if info["file_type"] == "audio":
            drafts.append_segment(session.draft, drafts.AUDIO, "Audio", {**seg, "vl": 100})
        else:
            drafts.append_segment(session.draft, drafts.VIDEO, "Video", seg)
