"""What every simulated endpoint shares: the envelopes, the typed error that
becomes an HTTP answer, the bearer-token check and the session lookup.

Envelope errors: ``{"code": N, "message": ...}`` with the HTTP status in
``CODE_STATUS`` (so clients must read the code, not only the status). Render
endpoints answer ``{"success": false, "code": N, "message": ...}`` instead.
"""

from __future__ import annotations

import json
from typing import Any
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse

from nemochat.sim.world import Session, SimWorld, User

CODE_STATUS = {1001: 401, 1002: 404, 2001: 200, 4001: 400, 4002: 413}
CODE_MESSAGES = {
    1001: "invalid or expired token",
    1002: "session not found",
    2001: "insufficient credits",
    4001: "unsupported file type",
    4002: "file too large",
}


class ApiError(Exception):
    """An error answer: raise it anywhere in an endpoint."""

    def __init__(self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None):
        super().__init__(body.get("message") or body.get("detail"))
        self.status, self.body, self.headers = status, dict(body), dict(headers or {})

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def render_ok(data: Any) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


def code_error(code: int, message: str | None = None, *, render: bool = False, **data: Any) -> ApiError:
    body: dict[str, Any] = {"code": code, "message": message or CODE_MESSAGES[code]}
    if render:
        body = {"success": False, **body}
    if data:
        body["data"] = data
    return ApiError(CODE_STATUS[code], body)


def render_error(status: int, code: int, message: str) -> ApiError:
    return ApiError(status, {"success": False, "code": code, "message": message})


def base_url(request: Request) -> str:
    """This server's own address, for the URLs it hands out."""
    return str(request.base_url).rstrip("/")


async def json_body(request: Request) -> Any:
    """The parsed JSON body, or None when there is none or it is not JSON."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        return None


def authenticate(world: SimWorld, request: Request, *, render: bool = False) -> User:
    """The user behind ``Authorization: Bearer <token>``, or a 1001 error.
    The 1001 fault revokes the token, so the client may re-auth."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = world.user_for_token(token) if scheme.lower() == "bearer" else None
    if user is None:
        raise code_error(1001, render=render)
    if world.take_fault("error_code", lambda f: f.code == 1001):
        world.revoke_token(token)
        raise code_error(1001, render=render)
    return user


def session_of(world: SimWorld, user: User, session_id: Any, *, render: bool = False) -> Session:
    """The user's session, or a 1002 error (also when the 1002 fault fires)."""
    session = world.session(session_id) if isinstance(session_id, str) else None
    if (session is None or session.user_id != user.user_id
            or world.take_fault("error_code", lambda f: f.code == 1002)):
        raise code_error(1002, f"session not found: {session_id}", render=render)
    return session
