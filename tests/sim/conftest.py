"""One simulator for the whole test session (time_scale 0: no waiting), reset
before every test, and a small client that speaks protocol.md to it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sim_helpers import Account, Backend

from nemochat.sim import RunningSimulator



@pytest.fixture(autouse=True)
def world(world):
    """Every test here starts with a fresh simulator."""
    return world


@pytest.fixture(scope="session")
def http(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def backend(http: httpx.Client) -> Backend:
    return Backend(http)


@pytest.fixture
def account(backend: Backend) -> Account:
    return backend.account()
