"""The ledger tests' fixtures: a ledger, the ledger of this test's home, and
the real command line. (The home, the simulator and an in-process runtime
wired to it come from the root conftest.)"""

from __future__ import annotations

import os
import subprocess

import pytest
from pty_zygote import NEMOCHAT

from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.db") as opened:
        yield opened


@pytest.fixture
def home_ledger(isolated_home):
    """The ledger the commands use in this test's home (opened on demand)."""

    def open_it() -> Ledger:
        return Ledger(ledger_path(Paths.default()))

    return open_it


@pytest.fixture
def cli(isolated_home, zygotes):
    """Run the real ``nemochat`` in a process with this test's home (forked
    from the zygote: tests/pty_zygote.py)."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        return zygotes.run(NEMOCHAT, list(args), input=input, timeout=60, env={**os.environ, **(env or {})}, cwd=os.getcwd())

    return run
