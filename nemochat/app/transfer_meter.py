"""The progress of a transfer (a download, an upload, a render's percent) as
throttled ``TransferProgress`` events, with a speed and an ETA."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from nemochat.core.ui_events import TransferProgress, UIEvent

Emit = Callable[[UIEvent], None]
Clock = Callable[[], float]


@dataclass
class Meter:
    """Turns "done so far" into throttled ``TransferProgress`` events with a
    speed (over the last few seconds) and an ETA."""

    emit: Emit
    task: str
    label: str
    unit: Literal["%", "bytes"] = "bytes"
    clock: Clock = time.monotonic
    every: float = 0.1  # seconds between events; the last one always goes out
    window: float = 5.0
    _samples: deque = field(default_factory=deque)
    _last: float | None = None
    _done: float = 0.0
    _total: float | None = None

    def update(self, done: float, total: float | None, *, force: bool = False) -> None:
        now = self.clock()
        self._done, self._total = done, total
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()
        if not force and self._last is not None and now - self._last < self.every:
            return
        self._last = now
        self.emit(self._event(done, total, now))

    def restart(self) -> None:
        self._samples.clear()

    def finish(self, done: float | None = None, total: float | None = None) -> None:
        """Close the bar (where it got to, unless told otherwise)."""
        done = self._done if done is None else done
        total = self._total if total is None else total
        self.emit(TransferProgress(self.task, self.label, done, total, self.unit, finished=True))

    def _event(self, done: float, total: float | None, now: float) -> TransferProgress:
        speed = eta = None
        (t0, d0) = self._samples[0]
        if now > t0 and done > d0:
            speed = (done - d0) / (now - t0)
            eta = (total - done) / speed if total else None
        return TransferProgress(self.task, self.label, done, total, self.unit, speed, eta)
