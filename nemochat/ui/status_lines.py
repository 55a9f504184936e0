"""The short lines both people's views write: how long something took, a
running tool's status line, an error and what to do about it."""

from __future__ import annotations

import dataclasses
import time

from rich.console import RenderableType
from rich.text import Text

from nemochat.core.sanitize import clean, clean_line

__all__ = ["ToolLine", "clock", "error_lines"]


def clock(seconds: float) -> str:
    """"0:42": how long something has taken."""
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclasses.dataclass(frozen=True)
class ToolLine:
    """The one status line of a running tool: "Generating video · usually 2-5 min · 0:42"
    (a spinner of the one-shot view's, a row of the REPL's live area)."""

    label: str
    expected: str | None
    started: float = dataclasses.field(default_factory=time.monotonic)

    def words(self, now: float) -> str:
        return " · ".join([self.label] + ([self.expected] if self.expected else []) + [clock(now - self.started)])

    def done(self, now: float) -> Text:
        """The line left when the tool's result comes: "✓ Generating video (0:42)"."""
        return Text(f"✓ {self.label} ({clock(now - self.started)})", style="green")

    def __rich__(self) -> RenderableType:
        # Only the words: the Status that shows this line draws the one spinner
        # (a Spinner here made two: "⠼ ⠋ Generating video").
        return Text(self.words(time.monotonic()), style="cyan")


def error_lines(message: str, action: str | None, *, stopped: bool = False, stop_on_one_line: bool = True) -> list[Text]:
    """An error as people read it: "✗ what happened" and, indented, what to do.
    ``stopped`` (Ctrl-C, asked for: not a failure) is "⏹ …": on one line in a
    one-shot's log, its advice dimmed on a line of its own in the REPL."""
    if stopped and stop_on_one_line:
        return [Text("⏹ " + clean_line(message) + (" " + clean_line(action) if action else ""), style="yellow")]
    if stopped:
        return [Text("⏹ " + clean(message), style="yellow")] + ([Text("  " + clean(action), style="dim")] if action else [])
    lines = [Text("✗ ", style="bold red") + Text(clean_line(message), style="red")]
    return lines + ([Text("  " + clean(action), style="yellow")] if action else [])
