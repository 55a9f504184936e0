"""The ledger tests' fixtures: a home of their own, a ledger, a simulator,
an in-process runtime wired to it, and the real command line."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from contextlib import asynccontextmanager

import pytest

from nemochat.app.runtime import open_runtime
from nemochat.settings import Paths, Settings
from nemochat.store import Ledger, ledger_path
from store_helpers import RecordingView

FAST = dict(retry_after_default=0.0, recovery_first_wait=0.0, recovery_interval=0.0, recovery_reads=2)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Nothing a test does may reach the real home: HOME and every XDG dir point into tmp_path."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(home / sub))
    for var in ("NEMO_API_URL", "NEMO_TOKEN", "NEMO_SESSION", "NEMO_LANG", "NEMO_CLIENT_ID", "NO_COLOR", "NEMOCHAT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NEMOCHAT_SIM_TIME_SCALE", "0")
    return home


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.db") as opened:
        yield opened





@pytest.fixture
def runtime(sim, world, home):
    """``async with runtime(**settings) as (rt, view)``: one process's worth of state."""

    @asynccontextmanager
    async def make(**overrides):
        settings = dataclasses.replace(Settings.load(env={}), **{"api_base": sim.base_url, **FAST, **overrides})
        view = RecordingView()
        async with open_runtime(settings, view=view, paths=Paths.default()) as rt:
            yield rt, view

    return make


@pytest.fixture
def home_ledger(home):
    """The ledger the commands use in this test's home (opened on demand)."""

    def open_it() -> Ledger:
        return Ledger(ledger_path(Paths.default()))

    return open_it


@pytest.fixture
def cli(home):
    """Run the real ``nemochat`` in a subprocess with this test's home."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nemochat", *args],
            input=input, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
        )  # fmt: skip

    return run
