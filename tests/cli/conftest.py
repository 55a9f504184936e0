"""Run the real `nemochat` command line against a simulator.

Most tests run ``nemochat.cli.main`` in this process, as ``llm`` tests its
CLI: the same argv, environment, stdin and stdout/stderr files a process
would get (real files, so ``isatty()`` and ``fileno()`` behave as they do
when output is redirected), without 0.5 s of interpreter start-up each.
A test marked ``@pytest.mark.subprocess`` gets a real process instead, for
what only a process shows (signals, exit-time flushing, argv bytes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from shared_helpers import NO_WAITS

def _in_process(args: tuple[str, ...], input: str | None, env: dict[str, str]) -> subprocess.CompletedProcess:
    from nemochat.cli import main

    saved_env = os.environ.copy()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stdin, \
         tempfile.TemporaryFile("w+", encoding="utf-8") as stdout, \
         tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        stdin.write(input or "")
        stdin.seek(0)
        os.environ.clear()
        os.environ.update(env)
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        try:
            try:
                code = main(list(args))
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            os.environ.clear()
            os.environ.update(saved_env)
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(["nemochat", *args], code, stdout.read(), stderr.read())


@pytest.fixture
def nemochat(isolated_home, request):
    """``nemochat(*args, input=None, env=None) -> CompletedProcess`` in the isolated home."""
    real_process = request.node.get_closest_marker("subprocess") is not None

    def call(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **NO_WAITS, "COLUMNS": "100", **(env or {})}
        if not real_process:
            return _in_process(args, input, full_env)
        return subprocess.run(
            [sys.executable, "-m", "nemochat", *args], input=input, capture_output=True, text=True,
            env=full_env, timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL,
        )

    return call
