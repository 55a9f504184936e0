"""Export: the render endpoints (``{"success": ..., "data": ...}`` envelope),
the rendered file on the "CDN", and the sim's own media.

A render advances one step per status poll (``Settings.render_progress_per_poll``)
and its file is the package's clip.mp4. The CDN paths take no token: the
request log shows whether a client sent one anyway.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from nemochat.sim import draft as drafts
from nemochat.sim.files import file_response, media
from nemochat.sim.guards import authenticate, base_url, json_body, render_error, render_ok, session_of
from nemochat.sim.world import Render, SimWorld, User

ATTRIBUTION_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")


async def create_render(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request, render=True)
    if (any(not request.headers.get(h) for h in ATTRIBUTION_HEADERS)
            or world.take_fault("http_402_render")):
        raise render_error(402, 402, "free plan cannot export: register at nemovideo.ai to unlock export")
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        raise render_error(400, 400, "expected {\"id\", \"sessionId\", \"draft\", \"output\"}")
    session = session_of(world, user, body.get("sessionId"), render=True)
    if not drafts.is_exportable(body.get("draft")):
        raise render_error(400, 400, "the draft has no segments to render")
    failure = world.take_fault("render_fail")
    render = Render(body["id"], session.session_id, user.user_id, body["draft"],
                    fail_reason=failure.reason if failure else None)
    if not world.add_render(render):
        raise render_error(409, 409, "duplicate render id")
    return render_ok({"id": render.render_id, "status": render.status, "progress": render.progress})


async def render_status(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request, render=True)
    render = world.poll_render(_render_of(world, user, request).render_id)
    hint = world.take_fault("render_retry_after")
    return JSONResponse(_status_body(render, world.faults.render_status_shape, base_url(request)),
                        headers={"Retry-After": str(hint.seconds)} if hint else None)


async def cancel_render(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request, render=True)
    render = _render_of(world, user, request)
    if not world.cancel_render(render.render_id):
        raise render_error(409, 409, f"render already {render.status}")
    return render_ok({"id": render.render_id, "status": "cancelled"})


async def download_fallback(request: Request, world: SimWorld) -> Response:
    user = authenticate(world, request, render=True)
    render = _render_of(world, user, request)
    if render.status != "completed":
        raise render_error(409, 409, f"render is {render.status}")
    return _rendered_file(request, world)


async def cdn_render(request: Request, world: SimWorld) -> Response:
    render = world.render(request.path_params["render_id"])
    if render is None or render.status != "completed":
        return PlainTextResponse("Not Found", status_code=404)
    if world.take_fault("render_output_url_broken"):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return _rendered_file(request, world)


async def cdn_media(request: Request, world: SimWorld) -> Response:
    file = media(request.path_params["name"])
    if file is None:
        return PlainTextResponse("Not Found", status_code=404)
    return file_response(request, file)


def _rendered_file(request: Request, world: SimWorld) -> Response:
    clip = media("clip.mp4")
    assert clip is not None, "nemochat/sim/media/clip.mp4 is missing from the package"
    # Why only full GETs: the fault breaks the first download, and the resume
    # (a Range request) must then work.
    drop = (request.method == "GET" and "range" not in request.headers
            and world.take_fault("download_drop_once") is not None)
    return file_response(request, clip, drop_halfway=drop)


def _render_of(world: SimWorld, user: User, request: Request) -> Render:
    render = world.render(request.path_params["render_id"])
    if render is None or render.user_id != user.user_id:
        raise render_error(404, 404, "render not found")
    return render


def _status_body(render: Render, shape: int, base: str) -> dict[str, Any]:
    """The three answer shapes seen across backend versions (protocol.md)."""
    done = render.status == "completed"
    url = f"{base}/cdn/renders/{render.render_id}.mp4"
    error = {"error": render.error} if render.error else {}
    if shape == 1:
        data = {"id": render.render_id, "status": render.status, "progress": render.progress,
                **({"outputUrl": url} if done else {}), **error}
        return {"success": True, "data": data}
    body: dict[str, Any] = {"status": render.status, "progress": render.progress, **error}
    if shape == 2:
        return {**body, **({"output": {"url": url}} if done else {})}
    clip, length_ms = media("clip.mp4"), render.draft.get("d")
    output = {"url": url, "size": len(clip.data) if clip else None,
              "duration": length_ms / 1000 if isinstance(length_ms, (int, float)) else None}
    return {"taskId": render.render_id, **body, **({"output": output} if done else {})}
