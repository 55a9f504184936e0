"""Progress bars for ``TransferProgress`` events: renders (percent), downloads
and uploads (bytes, speed, time left).

On a terminal, one rich ``Progress`` holds a bar per task while any is
running, and stops when the last one finishes (the bars stay on screen). Not
on a terminal, nothing moves: one line per task when it finishes.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.text import Text

from nemochat.core.sanitize import clean_line
from nemochat.core.ui_events import TransferProgress


def amount(done: float, total: float | None, unit: str) -> str:
    if unit == "%":
        return f"{done:3.0f}%"
    return f"{decimal(int(done))} / {decimal(int(total))}" if total else decimal(int(done))


def rate(speed: float | None, unit: str) -> str:
    if not speed or unit == "%":
        return ""
    return f"{decimal(int(speed))}/s"


def time_left(eta: float | None) -> str:
    if eta is None or eta < 0 or eta > 99 * 3600:
        return ""
    seconds = int(eta + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d} left"


class TransferBars:
    def __init__(self, console: Console, *, interactive: bool) -> None:
        self.console = console
        self.interactive = interactive
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._seen: dict[str, float] = {}  # task -> when it started (for the summary line)

    def show(self, event: TransferProgress) -> None:
        self._seen.setdefault(event.task, time.monotonic())
        if self.interactive:
            self._update_bar(event)
        if event.finished:
            self._finish(event)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = None
        self._tasks.clear()

    def _update_bar(self, event: TransferProgress) -> None:
        if event.finished and event.task not in self._tasks:
            return  # a bar that never showed: nothing to close
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(bar_width=30),
                TextColumn("{task.fields[amount]}"),
                TextColumn("{task.fields[rate]}", style="dim"),
                TextColumn("{task.fields[eta]}", style="dim"),
                console=self.console,
                transient=False,
            )
            self._progress.start()
        shown = amount(event.done, event.total, event.unit)
        speed = "" if event.finished else rate(event.speed, event.unit)
        eta = "" if event.finished else time_left(event.eta)
        task = self._tasks.get(event.task)
        if task is None:
            task = self._progress.add_task(clean_line(event.label), total=event.total, amount=shown, rate=speed, eta=eta)
            self._tasks[event.task] = task
        self._progress.update(task, completed=event.done, total=event.total, amount=shown, rate=speed, eta=eta)

    def _finish(self, event: TransferProgress) -> None:
        started = self._seen.pop(event.task, None)
        if self.interactive:
            task = self._tasks.pop(event.task, None)
            if task is not None and self._progress is not None:
                self._progress.stop_task(task)
            if not self._tasks:
                self.stop()
            return
        if started is not None and (event.done or event.total):
            took = time.monotonic() - started
            line = f"{clean_line(event.label)}: {amount(event.done, event.total, event.unit).strip()} ({took:.1f} s)"
            self.console.print(Text(line, style="dim"))
