"""One simulator for these tests (NemoVideo + NanoPhoto + a gateway, over real
loopback HTTP), reset before each test; the environment points every base at
it and makes every poll instant. ``cli(...)`` runs the real command line
in-process and returns its exit code, stdout lines and stderr."""

from __future__ import annotations

import asyncio
import inspect
import json
from dataclasses import dataclass

import pytest

from nemochat.sim.providers import ProviderState

KEY = "np-test-key-123456"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """``async def`` tests run in a fresh event loop (the suite has no asyncio plugin)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None
GATEWAY_KEY = "gw-test-key-654321"





@pytest.fixture
def providers(sim, world) -> ProviderState:
    state: ProviderState = sim.world.providers
    state.reset()
    state.polls_to_complete, state.hourly_limit, state.open_registration = 3, 100, True
    return state


@pytest.fixture
def env(sim, providers, isolated_home, monkeypatch, tmp_path):
    """Every base at the simulator, a NanoPhoto key and a gateway, instant polls,
    videos saved under tmp_path/out (the working folder)."""
    values = {
        "NEMO_API_URL": sim.base_url,
        "NANOPHOTO_API_URL": sim.base_url,
        "NANOPHOTO_API_KEY": KEY,
        "SORA_GATEWAY_URL": sim.base_url + "/v1",
        "SORA_GATEWAY_KEY": GATEWAY_KEY,
        "NEMOCHAT_SORA_INITIAL_DELAY": "0",
        "NEMOCHAT_SORA_INTERVAL": "0",
        "NEMOCHAT_VEO_INTERVAL": "0",
        "NEMOCHAT_GATEWAY_INTERVAL": "0",
        "NEMOCHAT_RETRY_AFTER_DEFAULT": "0",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    return values


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def of(self, kind: str) -> list[dict]:
        return [line for line in self.lines if line.get("type") == kind]


@pytest.fixture
def cli(env, capsys):
    from nemochat.cli import main

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def ledger(isolated_home):
    """The ledger the commands write (opened after them, read-only use)."""
    from nemochat.app.provider_session import open_ledger
    from nemochat.settings import Paths

    def get():
        return open_ledger(Paths.default())

    return get
