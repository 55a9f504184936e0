"""Run the real `nemochat` program in a subprocess against a simulator."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest






@pytest.fixture
def nemochat(isolated_home):
    """``nemochat(*args, input=None) -> CompletedProcess`` in the isolated home."""

    def call(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "NEMOCHAT_RETRY_AFTER_DEFAULT": "0", "NEMOCHAT_RECOVERY_FIRST_WAIT": "0",
                    "NEMOCHAT_RECOVERY_INTERVAL": "0", "COLUMNS": "100", **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "nemochat", *args], input=input, capture_output=True, text=True,
            env=full_env, timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL,
        )

    return call
