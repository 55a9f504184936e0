"""Helpers any test folder can import (pytest puts tests/ on sys.path, as it
does each folder with a conftest.py)."""

from __future__ import annotations

import os

# How long a test waits for something before it fails. Never a pause: every
# wait ends as soon as the thing happens (an event, a task, bytes on a pty);
# this is only how long a broken build gets before it is called broken.
WAIT = float(os.environ.get("NEMOCHAT_TEST_WAIT", "10"))


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
