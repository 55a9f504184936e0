"""The simulator's Starlette app: every endpoint of protocol.md section 1,
plus ``/_sim/*`` control endpoints for tests and the demo:

- ``GET /_sim/requests``: the request log (Authorization values left out);
- ``GET|POST /_sim/faults``: read, or merge JSON fault settings (faults.py);
- ``POST /_sim/reset``: forget everything but the settings;
- ``POST /_sim/credits`` ``{"credits": N, "user_id"?: str}``: set credits
  (one user, or all).

Every backend request is recorded before it is handled, and may first be
answered by the ``http_429`` fault.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nemochat.sim import api, render
from nemochat.sim.guards import ApiError, json_body
from nemochat.sim.providers import provider_routes
from nemochat.sim.world import RecordedRequest, SimWorld

Handler = Callable[[Request, SimWorld], Awaitable[Response]]

BACKEND_ROUTES: list[tuple[str, Handler, str]] = [
    ("/api/auth/anonymous-token", api.anonymous_token, "POST"),
    ("/api/tasks/me/with-session/nemo_agent", api.create_session, "POST"),
    ("/api/auth/claim-token", api.claim_token, "POST"),
    ("/run_sse", api.run_sse, "POST"),
    ("/api/upload-video/nemo_agent/me/{session_id}", api.upload, "POST"),
    ("/api/credits/balance/simple", api.credits, "GET"),
    ("/api/state/nemo_agent/me/{session_id}/latest", api.state, "GET"),
    ("/api/render/proxy/lambda", render.create_render, "POST"),
    ("/api/render/proxy/lambda/{render_id}", render.render_status, "GET"),
    ("/api/render/proxy/lambda/{render_id}/cancel", render.cancel_render, "POST"),
    ("/api/render/proxy/{render_id}/download", render.download_fallback, "GET"),
    ("/cdn/renders/{render_id}.mp4", render.cdn_render, "GET"),
    ("/cdn/media/{name}", render.cdn_media, "GET"),
]


def create_app(world: SimWorld) -> Starlette:
    routes = [Route(path, _backend_endpoint(world, handler), methods=[method])
              for path, handler, method in BACKEND_ROUTES]
    routes += [
        Route("/_sim/requests", _control(world, _requests), methods=["GET"]),
        Route("/_sim/faults", _control(world, _faults), methods=["GET", "POST"]),
        Route("/_sim/reset", _control(world, _reset), methods=["POST"]),
        Route("/_sim/credits", _control(world, _credits), methods=["POST"]),
    ]
    # NanoPhoto (Sora 2, Veo 3.1) and a video gateway; tests steer `world.providers`.
    routes += [Route(r.path, _saving(world, r.endpoint), methods=r.methods)
               for r in provider_routes(world.providers)]
    return Starlette(routes=routes)


def _saving(world: SimWorld, endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def saved(request: Request) -> Response:
        world.requested()
        try:
            return await endpoint(request)
        finally:
            world.changed()  # before the answer leaves: a command that exits on it loses nothing

    return saved


def _backend_endpoint(world: SimWorld, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        world.record(RecordedRequest(
            request.method, request.url.path, request.url.query,
            {k.lower(): v for k, v in request.headers.items()},
            await json_body(request), time.time()))
        limited = world.take_fault(
            "http_429", lambda f: f.path is None or request.url.path.startswith(f.path))
        try:
            if limited:
                headers = {"Retry-After": str(limited.retry_after)} if limited.retry_after is not None else {}
                raise ApiError(429, {"code": 429, "message": "too many requests"}, headers)
            return await handler(request, world)
        except ApiError as error:
            return error.response()

    return _saving(world, endpoint)


def _control(world: SimWorld, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, world)
        except (ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    return endpoint


async def _requests(request: Request, world: SimWorld) -> Response:
    return JSONResponse({"requests": [r.to_json() for r in world.requests]})


async def _faults(request: Request, world: SimWorld) -> Response:
    if request.method == "GET":
        return JSONResponse(world.faults.to_json())
    patch = await json_body(request)
    if not isinstance(patch, dict):
        raise ValueError("expected a JSON object of fault settings")
    return JSONResponse(world.set_faults(patch))


async def _reset(request: Request, world: SimWorld) -> Response:
    world.reset()
    return JSONResponse({"ok": True})


async def _credits(request: Request, world: SimWorld) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("credits"), int):
        raise ValueError('expected {"credits": N, "user_id"?: "..."}')
    return JSONResponse({"users": world.set_credits(body["credits"], body.get("user_id"))})
