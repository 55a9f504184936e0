"""Shared fixtures: every test runs in its own home (nothing touches the real
one) with no NemoVideo/NanoPhoto variables from the outside; one simulator
for the run, and a runtime wired to it with a recording view."""

from __future__ import annotations

import dataclasses
import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from shared_helpers import RecordingView

# Compiled modules (pytest's rewritten tests among them) are written even
# where PYTHONDONTWRITEBYTECODE is set: recompiling every test module costs
# each xdist worker seconds per run. They go where Python looks first, beside
# the sources (site-packages has pip's own). The programs the tests start (the
# REPL's zygote, `python -m nemochat`) read them there, and the controller
# compiles the package once before the workers start, so no process compiles
# nemochat for itself. (A pycache prefix would hide pip's: every worker of a
# first run compiled all of site-packages again.)
if sys.dont_write_bytecode:
    sys.dont_write_bytecode = False
    if "PYTEST_XDIST_WORKER" not in os.environ:
        import compileall

        compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "nemochat"), quiet=1)

_OUTSIDE_VARS = (
    "NEMO_API_URL", "NEMO_TOKEN", "NEMO_SESSION", "NEMO_LANG", "NEMO_CLIENT_ID",
    "NANOPHOTO_API_KEY", "NANOPHOTO_API_URL", "SORA_GATEWAY_URL", "SORA_GATEWAY_KEY",
    "NEMOCHAT_POLL_INTERVAL", "NEMOCHAT_CONFIG", "NO_COLOR",
    # the machine's proxies and CAs: a test that wants one sets it (tests/network)
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "NEMOCHAT_PROXY", "NEMOCHAT_CA_BUNDLE", "NEMOCHAT_LOG_FILE",
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
    yield home
    import sys

    if "nemochat.debug_log" in sys.modules:  # an in-process --debug run opened one: not into the next test
        sys.modules["nemochat.debug_log"].stop()


@pytest.fixture(scope="session")
def zygotes():
    """Starts ``nemochat`` in a pseudo-terminal by forking a process that has
    imported it (tests/pty_zygote.py): the real program, without a fresh
    interpreter's second of imports each time."""
    from pty_zygote import Zygotes

    running = Zygotes()
    yield running
    running.close()


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


# No waiting between retries or while reading the state after a dropped stream.
FAST = dict(retry_after_default=0.0, recovery_first_wait=0.0, recovery_interval=0.0, recovery_reads=2)


@pytest.fixture
def runtime(sim, world, isolated_home):
    """``async with runtime(**settings) as (rt, view)``: a fresh process's worth
    of state against the simulator; ``view`` is a ``RecordingView``."""
    from nemochat.app.runtime import open_runtime
    from nemochat.settings import Paths, Settings

    @asynccontextmanager
    async def make(**overrides):
        settings = dataclasses.replace(Settings.load(env={}), **{"api_base": sim.base_url, **FAST, **overrides})
        view = RecordingView()
        async with open_runtime(settings, view=view, paths=Paths.default()) as rt:
            yield rt, view

    return make


# The tiers, so `pytest -m unit` runs in seconds: a test that drives a terminal
# (a pseudo-terminal or prompt_toolkit's pipe input), one that talks to a
# server on loopback or runs the command line, and the rest (pure code).
_TERMINAL_FIXTURES = {"spawn", "repl", "term_env", "in_pty"}
_LOOPBACK_NAMES = ("subprocess", "socket", "start_simulator", "start_saved_simulator", "HostileServer", "RogueServer")
_LOOPBACK_FIXTURES = {"sim", "world", "runtime", "nemochat", "cli", "requests", "providers", "env", "hostile"}


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: two workers per core. Many tests wait (on the program in
    a pseudo-terminal, on the simulator), and a waiting worker leaves its core
    to another."""
    return 2 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def pytest_collection_modifyitems(items):
    _mark_tiers(items)
    items[:] = _spread(items, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))


def _spread(items, workers):
    """The order that keeps both cores busy to the end. The terminal tests are
    the long ones and mostly wait on their program: each worker gets an equal
    share of them, woven through the first three quarters of its tests, so
    that at any moment some workers wait while others compute; the quick
    tests come last, where an idle worker takes half of a busy one's rest.
    (pytest-xdist's worksteal first hands each worker a contiguous share of
    this list, as ``shares`` computes; every worker computes the same order.)"""
    slow = [item for item in items if item.get_closest_marker("terminal")]
    quick = [item for item in items if not item.get_closest_marker("terminal")]
    shares, left = [], len(items)
    for n in range(workers):
        shares.append(left // (workers - n))
        left -= shares[-1]
    ordered, taken = [], 0
    for n, share in enumerate(shares):
        mine_slow = slow[n::workers]
        mine_quick = quick[taken:taken + share - len(mine_slow)]
        taken += len(mine_quick)
        every = (len(mine_quick) * 3 // 4) / max(len(mine_slow), 1)
        places = [(k * every, 0, item) for k, item in enumerate(mine_slow)] + [(i, 1, item) for i, item in enumerate(mine_quick)]
        ordered.extend(item for *_, item in sorted(places, key=lambda place: place[:2]))
    ordered.extend(quick[taken:])
    assert len(ordered) == len(items)
    return ordered


def _mark_tiers(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = getattr(item, "module", None)
        drives_terminal = fixtures & _TERMINAL_FIXTURES or any(
            hasattr(module, name) for name in ("pexpect", "pyte", "create_pipe_input")
        )
        if drives_terminal:
            item.add_marker(pytest.mark.terminal)
        elif fixtures & _LOOPBACK_FIXTURES or any(hasattr(module, name) for name in _LOOPBACK_NAMES):
            item.add_marker(pytest.mark.loopback)
        else:
            item.add_marker(pytest.mark.unit)
