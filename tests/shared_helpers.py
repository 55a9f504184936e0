"""Helpers any test folder can import (pytest puts tests/ on sys.path, as it
does each folder with a conftest.py)."""

from __future__ import annotations

import os

# How long a test waits for something before it fails. Never a pause: every
# wait ends as soon as the thing happens (an event, a task, bytes on a pty);
# this is only how long a broken build gets before it is called broken.
WAIT = float(os.environ.get("NEMOCHAT_TEST_WAIT", "10"))

# Every wait the program would make before trying again, set to zero as a
# user would (NEMOCHAT_<NAME>): retries still happen, without the 1, 2, 4 s
# between them (test_connection_retries_cli counts them).
NO_WAITS = {
    "NEMOCHAT_RETRY_AFTER_DEFAULT": "0",
    "NEMOCHAT_RECOVERY_FIRST_WAIT": "0",
    "NEMOCHAT_RECOVERY_INTERVAL": "0",
    "NEMOCHAT_CONNECT_RETRY_WAIT": "0",
    "NEMOCHAT_CONNECT_RETRY_MAX_WAIT": "0",
}


class RecordingView:
    """The view interface (``emit``, ``error``, ``done``), keeping everything
    it is asked to show, so tests assert what the user would be shown."""

    def __init__(self) -> None:
        self.events: list = []
        self.errors: list = []
        self.finished = False

    def emit(self, event) -> None:
        self.events.append(event)

    def error(self, error) -> None:
        self.errors.append(error)

    def done(self) -> None:
        self.finished = True

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]
