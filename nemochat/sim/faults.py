"""Switchable faults: the ways the real backend misbehaves, on demand.

Each fault is a small frozen spec with a ``times`` field: how many more times it
fires (``None`` = every time, until cleared). ``Faults.merge`` takes the JSON
that ``POST /_sim/faults`` receives, for example::

    {"error_code": {"code": 1001},                      # next authed request
     "http_429": {"retry_after": 5, "path": "/api/credits", "times": 2},
     "drop_stream_after": {"events": 3, "mid_event": true},
     "download_drop_once": true,                         # true = defaults
     "payload_shape": "typed", "render_status_shape": 3,
     "render_fail": null,                                # null/false = clear
     "replay_stream": {"path": "big.sse"},               # /run_sse plays a recorded stream
     "drop_connection": {"path": "/api/credits", "times": 2}}  # reset, no answer at all

Durations inside faults (``slow_heartbeats``) are real seconds: they are
explicit test settings, so the world's time_scale does not touch them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar
from collections.abc import Callable, Mapping

ERROR_CODES = (1001, 1002, 2001, 4001, 4002)
PAYLOAD_SHAPES = ("adk", "typed")
RENDER_STATUS_SHAPES = (1, 2, 3)
HEARTBEAT_STYLES = ("comment", "typed", "empty")


def _check_times(times: int | None) -> None:
    if times is not None and times < 1:
        raise ValueError("times must be >= 1, or null for a persistent fault")


@dataclass(frozen=True)
class ErrorCode:
    """Answer the next matching request with a backend error code.

    1001: any authed endpoint (the token is revoked, so re-auth works);
    1002: session endpoints (``/run_sse`` answers ADK's HTTP 404 instead);
    2001: a ``/run_sse`` turn that spends credits; 4001/4002: uploads.
    """

    code: int
    times: int | None = 1

    def __post_init__(self) -> None:
        if self.code not in ERROR_CODES:
            raise ValueError(f"error_code.code must be one of {ERROR_CODES}")
        _check_times(self.times)


@dataclass(frozen=True)
class Http429:
    """HTTP 429 on the next request whose path starts with ``path`` (any if None)."""

    retry_after: int | None = 30  # None: no Retry-After header at all
    path: str | None = None
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class DropStream:
    """Close the ``/run_sse`` connection abruptly after ``events`` data events
    (or at the end, if the turn has fewer). The agent keeps running server-side,
    as the real backend does, so the state still changes."""

    events: int = 3
    mid_event: bool = False  # send half of the next event before closing
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class DropConnection:
    """Reset the connection of the next request whose path starts with
    ``path`` (any but ``/_sim/`` if None) as soon as it arrives: no answer at
    all, as a failing network or proxy does. The request is logged (it did
    reach the server) but not handled; see ``cutting_protocol``."""

    path: str | None = None
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class ErrorEvent:
    """ADK's mid-run failure: ``data: {"error": ...}``, then the stream ends.

    ``fstring`` builds it the way older ADK did (no escaping), so a message
    with a double quote gives invalid JSON."""

    message: str = "Internal error: model overloaded"
    after_events: int = 1
    fstring: bool = False
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class ErrorCodeEvent:
    """An ADK event carrying ``errorCode``/``errorMessage``; the turn ends there."""

    code: str = "MALFORMED_FUNCTION_CALL"
    message: str = "The model produced a malformed function call."
    after_events: int = 1
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class SlowHeartbeats:
    """Before the turn's first event: only heartbeats, every ``interval_s``,
    for ``silence_s`` in all. ``style`` None follows the payload shape."""

    interval_s: float = 20.0
    silence_s: float = 130.0
    style: str | None = None
    times: int | None = 1

    def __post_init__(self) -> None:
        if self.style is not None and self.style not in HEARTBEAT_STYLES:
            raise ValueError(f"slow_heartbeats.style must be one of {HEARTBEAT_STYLES}")
        if self.interval_s <= 0:
            raise ValueError("slow_heartbeats.interval_s must be > 0")
        _check_times(self.times)


@dataclass(frozen=True)
class ReplayStream:
    """Answer the next ``/run_sse`` with a recorded stream (a file of SSE
    bytes, e.g. ``--record``'s) instead of a script: benchmarks and big
    fixtures over real HTTP. The turn costs nothing and changes nothing.

    With ``pace_s`` 0 the bytes go as fast as the client reads them, in
    ``chunk``-byte writes (``per_event``: one write per event, as ADK's
    server writes them); otherwise one event every ``pace_s`` seconds (real
    seconds, on a fixed schedule from the request: late events catch up)."""

    path: str
    chunk: int = 64 * 1024
    pace_s: float = 0.0
    times: int | None = 1
    per_event: bool = False

    def __post_init__(self) -> None:
        if self.chunk < 1:
            raise ValueError("replay_stream.chunk must be >= 1")
        if self.pace_s < 0:
            raise ValueError("replay_stream.pace_s must be >= 0")
        _check_times(self.times)


@dataclass(frozen=True)
class RenderFail:
    """The next render created fails halfway with this reason."""

    reason: str = "render worker crashed"
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class RetryAfter:
    """A ``Retry-After`` header on render status answers (a polling hint)."""

    seconds: int = 5
    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


@dataclass(frozen=True)
class Switch:
    """A fault with no parameters: fires ``times`` times."""

    times: int | None = 1

    def __post_init__(self) -> None:
        _check_times(self.times)


# The fault name -> its spec type; `true` in JSON means the spec's defaults.
SPEC_TYPES: dict[str, type] = {
    "error_code": ErrorCode,
    "http_429": Http429,
    "http_402_render": Switch,
    "drop_stream_after": DropStream,
    "drop_connection": DropConnection,
    "error_event": ErrorEvent,
    "error_code_event": ErrorCodeEvent,
    "slow_heartbeats": SlowHeartbeats,
    "replay_stream": ReplayStream,
    "render_fail": RenderFail,
    "render_retry_after": RetryAfter,
    "download_drop_once": Switch,
    "render_output_url_broken": Switch,
    "no_claim_endpoint": Switch,
}

Spec = TypeVar("Spec")


@dataclass
class Faults:
    """The armed faults (None = off) and the two persistent shape settings.

    Not locked itself: ``SimWorld`` guards it.
    """

    error_code: ErrorCode | None = None
    http_429: Http429 | None = None
    http_402_render: Switch | None = None
    drop_stream_after: DropStream | None = None
    drop_connection: DropConnection | None = None
    error_event: ErrorEvent | None = None
    error_code_event: ErrorCodeEvent | None = None
    slow_heartbeats: SlowHeartbeats | None = None
    replay_stream: ReplayStream | None = None
    render_fail: RenderFail | None = None
    render_retry_after: RetryAfter | None = None
    download_drop_once: Switch | None = None
    render_output_url_broken: Switch | None = None
    no_claim_endpoint: Switch | None = None
    payload_shape: str = "adk"  # "adk" or "typed" SSE payloads
    render_status_shape: int = 1  # 1, 2 or 3: see protocol.md, render status

    def merge(self, patch: Mapping[str, Any]) -> None:
        """Apply a JSON-like patch; raises ValueError on anything unknown or
        invalid, before changing anything."""
        staged = dataclasses.replace(self)
        for name, value in patch.items():
            if name == "payload_shape":
                if value not in PAYLOAD_SHAPES:
                    raise ValueError(f"payload_shape must be one of {PAYLOAD_SHAPES}")
            elif name == "render_status_shape":
                if value not in RENDER_STATUS_SHAPES:
                    raise ValueError(f"render_status_shape must be one of {RENDER_STATUS_SHAPES}")
            elif name in SPEC_TYPES:
                value = _build(SPEC_TYPES[name], value, name)
            else:
                raise ValueError(f"unknown fault: {name}")
            setattr(staged, name, value)
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(staged, field.name))

    def take(self, name: str, when: Callable[[Any], bool] | None = None) -> Any:
        """Fire the fault `name` if armed (and `when` accepts it): count one use
        and return its spec; else None."""
        spec = getattr(self, name)
        if spec is None or (when is not None and not when(spec)):
            return None
        if spec.times is not None:
            left = spec.times - 1
            setattr(self, name, dataclasses.replace(spec, times=left) if left else None)
        return spec

    def to_json(self) -> dict[str, Any]:
        return {
            field.name: _spec_json(getattr(self, field.name))
            for field in dataclasses.fields(self)
        }


def _build(spec_type: type[Spec], value: Any, name: str) -> Spec | None:
    if value is None or value is False:
        return None
    if isinstance(value, spec_type):
        return value
    try:
        if value is True:
            return spec_type()
        if isinstance(value, Mapping):
            return spec_type(**value)
    except TypeError as exc:  # unknown or missing fields
        raise ValueError(f"{name}: {exc}") from None
    raise ValueError(f"{name}: expected an object, true, false or null")


def _spec_json(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


class SimulatedDrop(Exception):
    """Raised by a response on purpose to cut its connection mid-body.

    The runner's log filter hides it, so fault injection stays silent."""


def cutting_protocol(world: Any) -> type:
    """uvicorn's h11 protocol, plus the ``drop_connection`` fault. A reset
    before any answer can only be made below the ASGI app (an app that
    raises early still gets a 500 sent for it), so it is done here, where
    each request's first bytes arrive."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class CuttingH11Protocol(H11Protocol):
        def data_received(self, data: bytes) -> None:
            if self.conn.their_state is h11.IDLE and _cut(world, self.transport, data):
                return
            super().data_received(data)

    return CuttingH11Protocol


def _cut(world: Any, transport: Any, data: bytes) -> bool:
    """Reset the connection if ``drop_connection`` fires for this request."""
    import socket
    import struct
    import time

    from nemochat.sim.world import RecordedRequest

    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    words = head[0].split(" ")
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return False  # not the start of a request (or split oddly): never cut
    method, (path, _, query) = words[0], words[1].partition("?")
    if path.startswith("/_sim/") or not world.take_fault("drop_connection", lambda f: f.path is None or path.startswith(f.path)):
        return False
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
    world.record(RecordedRequest(method, path, query, headers, None, time.time()))
    sock = transport.get_extra_info("socket")
    if sock is not None:  # linger 0: the close is a reset (RST), not an orderly end
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True
