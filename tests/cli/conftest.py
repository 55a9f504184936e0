"""Run the real `nemochat` program in a subprocess against a simulator."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Every wait the program would make before trying again, set to zero as a
# user would (NEMOCHAT_<NAME>): connection retries still happen, without the
# 1, 2, 4 s between them (test_connection_retries_cli counts them).
NO_WAITS = {
    "NEMOCHAT_RETRY_AFTER_DEFAULT": "0",
    "NEMOCHAT_RECOVERY_FIRST_WAIT": "0",
    "NEMOCHAT_RECOVERY_INTERVAL": "0",
    "NEMOCHAT_CONNECT_RETRY_WAIT": "0",
    "NEMOCHAT_CONNECT_RETRY_MAX_WAIT": "0",
}


@pytest.fixture
def nemochat(isolated_home):
    """``nemochat(*args, input=None) -> CompletedProcess`` in the isolated home."""

    def call(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **NO_WAITS, "COLUMNS": "100", **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "nemochat", *args], input=input, capture_output=True, text=True,
            env=full_env, timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL,
        )

    return call
