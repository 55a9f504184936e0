"""The consoles of one-shot commands: stdout for the answer, stderr for the
chrome (one console when both are the same terminal), quiet on a closed pipe,
no trailing blanks in a file."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from rich.console import Console

__all__ = ["PipeConsole", "one_shot_consoles"]


# Blanks that end a line (not the last piece of a buffer: ``end=""`` prints may go on).
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n)")


class PipeConsole(Console):
    """A Console for one-shot commands: a reader that leaves early
    (``| head``) ends the command quietly instead of rich's exit 1; to a file
    or a pipe, lines carry no trailing blanks."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError

    def _render_buffer(self, buffer: Any) -> str:
        text = super()._render_buffer(buffer)
        # rich pads Markdown (and tables) to the console's width: invisible on a
        # terminal, but a file or a script would keep a line of spaces per line.
        if self.is_terminal or (" \n" not in text and "\t\n" not in text):
            return text
        return _TRAILING_BLANKS.sub("", text)


def one_shot_consoles(*, no_color: bool | None = None) -> tuple[Console, Console]:
    """(answer, chrome) for a one-shot command: stdout and stderr. When both
    are the same terminal nothing can tell them apart, and one console keeps
    a spinner on one from tearing lines printed on the other."""
    answer = PipeConsole(highlight=False, no_color=no_color)
    if _one_screen():
        return answer, answer
    # soft_wrap: a long error stays one line in a log (a terminal wraps it anyway)
    return answer, PipeConsole(stderr=True, highlight=False, no_color=no_color, soft_wrap=True)


def _one_screen() -> bool:
    try:
        out, err = sys.stdout.fileno(), sys.stderr.fileno()
        return os.isatty(out) and os.path.samestat(os.fstat(out), os.fstat(err))
    except (AttributeError, OSError, ValueError):  # (pytest's capture, a closed stream)
        return False
