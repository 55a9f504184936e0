"""One simulator for the whole test session (time_scale 0: no waiting), reset
before every test, and a small client that speaks protocol.md to it."""

from __future__ import annotations

import dataclasses
from typing import Iterator

import httpx
import pytest
from sim_helpers import Account, Backend

from nemochat.sim import RunningSimulator, SimWorld, start_simulator


@pytest.fixture(scope="session")
def sim() -> Iterator[RunningSimulator]:
    with start_simulator(time_scale=0) as running:
        yield running


@pytest.fixture(autouse=True)
def world(sim: RunningSimulator) -> Iterator[SimWorld]:
    settings = sim.world.settings
    sim.world.reset()
    yield sim.world
    assert sim.world.wait_until_idle(), "an agent turn was still running after the test"
    sim.world.configure(**dataclasses.asdict(settings))


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
