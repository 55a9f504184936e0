"""Running the simulator: in a background thread (tests, ``--demo``) or in
the foreground (``nemochat sim``).

We bind the socket ourselves, so port 0 works and the address is known before
uvicorn starts; readiness is an event set once uvicorn accepts connections.
uvicorn prints nothing: no log config, no access log, warnings only, and the
faults' deliberate connection cuts are filtered out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from dataclasses import dataclass
from collections.abc import Callable
from types import FrameType

import uvicorn

from nemochat.sim import stream
from nemochat.sim.app import create_app
from nemochat.sim.faults import SimulatedDrop, cutting_protocol
from nemochat.sim.world import SimWorld

TIME_SCALE_ENV = "NEMOCHAT_SIM_TIME_SCALE"


@dataclass
class RunningSimulator:
    """A simulator serving from a daemon thread; ``stop()`` it (or use ``with``)."""

    base_url: str
    world: SimWorld
    _server: _Server
    _thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._server.wake()
        self._thread.join(timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_simulator(host: str = "127.0.0.1", port: int = 0, world: SimWorld | None = None,
                    time_scale: float | None = None, *, ready_timeout: float = 10.0,
                    tls: tuple[str, str] | None = None) -> RunningSimulator:
    """Serve a simulator in a background thread; returns once it accepts
    connections. `time_scale` overrides the world's; with neither a world nor
    a time_scale, NEMOCHAT_SIM_TIME_SCALE (default 1.0) decides. `tls`
    (certificate file, key file): serve HTTPS (the CA tests)."""
    world = _prepare_world(world, time_scale)
    sock = _bind(host, port)
    ready = threading.Event()
    config = _config(world, tls)
    server = _Server(config, on_started=ready.set)

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            ready.set()  # also when startup failed: the caller must not wait forever

    thread = threading.Thread(target=serve, name="nemochat-sim", daemon=True)
    thread.start()
    ready.wait(ready_timeout)
    url = _url(sock)
    running = RunningSimulator(url.replace("http://", "https://", 1) if tls else url, world, server, thread)
    if not server.started:
        running.stop()
        raise RuntimeError(f"the simulator did not start on {host}:{port}")
    return running


def serve_forever(host: str = "127.0.0.1", port: int = 0, world: SimWorld | None = None,
                  time_scale: float | None = None, *,
                  on_ready: Callable[[str], None] | None = None) -> None:
    """Serve in this (main) thread until Ctrl-C or SIGTERM; prints nothing.
    `on_ready(base_url)` runs once connections are accepted. After a clean
    shutdown uvicorn re-raises the signal, so Ctrl-C ends in KeyboardInterrupt."""
    world = _prepare_world(world, time_scale)
    sock = _bind(host, port)
    url = _url(sock)
    server = _Server(_config(world), on_started=(lambda: on_ready(url)) if on_ready else None)
    server.run(sockets=[sock])


class _Server(uvicorn.Server):
    """uvicorn's server, which says when it has started and stops at once:
    uvicorn looks at ``should_exit`` every 0.1 s; here ``stop()`` and the
    signals wake its main loop (a demo's exit, each test's teardown)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        ticks = 0
        while not await self.on_tick(ticks):
            ticks = (ticks + 10) % 864000  # (on_tick refreshes the Date header on multiples of 10: each second here)
            try:
                await asyncio.wait_for(self._stopping.wait(), 1.0)
            except TimeoutError:
                pass

    def wake(self) -> None:
        """Have the main loop look at ``should_exit`` now (from any thread)."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # the loop has already closed: nothing to wake
                pass

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self.wake()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self._on_started is not None:
            self._on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        stream.cancel_turns()
        await super().shutdown(sockets=sockets)


def _prepare_world(world: SimWorld | None, time_scale: float | None) -> SimWorld:
    if world is None:
        world = SimWorld()
        if time_scale is None:
            time_scale = float(os.environ.get(TIME_SCALE_ENV, "1.0"))
    if time_scale is not None:
        world.configure(time_scale=time_scale)
    return world


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Why IPPROTO_TCP explicitly: asyncio only disables Nagle on sockets that
    # say so, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(world: SimWorld, tls: tuple[str, str] | None = None) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_not_a_simulated_drop)  # added once: same object
    return uvicorn.Config(create_app(world), log_config=None, log_level="warning",
                          access_log=False, lifespan="off", http=cutting_protocol(world), loop="asyncio",
                          timeout_graceful_shutdown=2, ssl_certfile=tls[0] if tls else None, ssl_keyfile=tls[1] if tls else None)


def _not_a_simulated_drop(record: logging.LogRecord) -> bool:
    return not _is_simulated_drop(record.exc_info[1] if record.exc_info else None)


def _is_simulated_drop(exc: BaseException | None) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_simulated_drop(e) for e in exc.exceptions)
    return isinstance(exc, SimulatedDrop)
