"""Hostile servers on 127.0.0.1: a raw asyncio server per test,
and the real program run against it (a subprocess, or a pty for what a
terminal would receive)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from hostile_server import HostileServer
from shared_helpers import NO_WAITS

NO_WAITS = {**NO_WAITS, "NEMOCHAT_CONNECT_RETRIES": "0"}  # a hostile server is never worth a second try
NEMOCHAT = str(Path(sys.executable).with_name("nemochat"))


@pytest.fixture
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture
def nemochat(isolated_home, hostile, monkeypatch, capsys):
    """``nemochat(*args) -> CompletedProcess`` against the hostile server: the
    real command line (``cli.main``), run in this process (a fresh interpreter
    per call would cost a second each on a busy machine; tests that need a
    terminal use ``in_pty``)."""
    from nemochat.cli import main

    def call(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        capsys.readouterr()
        with monkeypatch.context() as patched:
            for name, value in {**NO_WAITS, "NEMO_API_URL": hostile.base_url, "COLUMNS": "100", **(env or {})}.items():
                patched.setenv(name, value)
            code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return call


@pytest.fixture
def in_pty(isolated_home, hostile, zygotes):
    """``in_pty(*args, steps=((REGEX, LINE), ...)) -> raw output``: the program
    in a 100x30 pseudo-terminal (forked from the zygote: tests/pty_zygote.py);
    each LINE is typed once REGEX shows, and the output is read to the end."""

    def spawn(*args: str, steps: tuple[tuple[str, str], ...] = (), env: dict | None = None) -> str:
        full_env = {**os.environ, **NO_WAITS, "NEMO_API_URL": hostile.base_url, "TERM": "xterm-256color",
                    "PROMPT_TOOLKIT_NO_CPR": "1", **(env or {})}
        full_env.pop("NEMOCHAT_NO_LINKS", None)
        child = zygotes.spawn(NEMOCHAT, list(args), env=full_env, cwd=os.getcwd(), dimensions=(30, 100), encoding="utf-8", timeout=30)
        seen: list[str] = []
        try:
            for pattern, line in steps:
                child.expect(pattern)
                seen += [child.before, child.after]
                child.send(line + "\r")
            child.expect(pexpect.EOF)
            return "".join(seen) + child.before
        finally:
            child.close(force=True)

    return spawn
