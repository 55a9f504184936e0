"""Shared fixtures: every test runs in its own home (nothing touches the real
one) with no NemoVideo/NanoPhoto variables from the outside."""

from __future__ import annotations

import dataclasses

import pytest

_OUTSIDE_VARS = (
    "NEMO_API_URL", "NEMO_TOKEN", "NEMO_SESSION", "NEMO_LANG", "NEMO_CLIENT_ID",
    "NANOPHOTO_API_KEY", "NANOPHOTO_API_URL", "SORA_GATEWAY_URL", "SORA_GATEWAY_KEY",
    "NEMOCHAT_POLL_INTERVAL", "NO_COLOR",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(home / sub))
    for var in _OUTSIDE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NEMOCHAT_SIM_TIME_SCALE", "0")
    return home


@pytest.fixture
def run():
    """Run a coroutine to completion (the suite needs no asyncio plugin)."""
    import asyncio

    return asyncio.run


@pytest.fixture(scope="session")
def sim():
    """One simulator for the whole run (time scale 0: nothing waits)."""
    from nemochat.sim import start_simulator

    with start_simulator(time_scale=0) as running:
        yield running


@pytest.fixture
def world(sim):
    """The simulator's state, reset for this test; its settings restored after."""
    settings = sim.world.settings
    sim.world.reset()
    yield sim.world
    assert sim.world.wait_until_idle(), "an agent turn was still running after the test"
    sim.world.configure(**dataclasses.asdict(settings))
