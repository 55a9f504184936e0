"""The root's runtime fixture, with no wait between connection retries
either (the root's FAST covers the other waits)."""

from __future__ import annotations

import socket

import pytest

NO_CONNECT_WAITS = dict(connect_retry_wait=0.0, connect_retry_max_wait=0.0)


@pytest.fixture
def runtime(runtime):
    def make(**overrides):
        return runtime(**{**NO_CONNECT_WAITS, **overrides})

    return make


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that refuses connections: bound, never listening,
    so nothing else can take it during the test. Yields (port, socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1], sock


class FlakyBackend:
    """A simulator whose port refuses connections while it is ``down()``
    (the port held by a bound socket that never listens) and serves again
    after ``up()``, with the same world: tokens and sessions survive."""

    def __init__(self) -> None:
        from nemochat.sim import start_simulator

        self.sim = start_simulator(time_scale=0)
        self.world = self.sim.world
        self.base_url = self.sim.base_url
        self.port = int(self.base_url.rsplit(":", 1)[1])
        self._held: socket.socket | None = None

    def down(self) -> None:
        self.sim.stop()
        self._held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the server's closed connections may linger
        self._held.bind(("127.0.0.1", self.port))

    def up(self) -> None:
        from nemochat.sim import start_simulator

        assert self._held is not None
        self._held.close()
        self._held = None
        self.sim = start_simulator(port=self.port, world=self.world)

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
        self.sim.stop()


@pytest.fixture
def flaky_backend():
    backend = FlakyBackend()
    yield backend
    backend.close()
