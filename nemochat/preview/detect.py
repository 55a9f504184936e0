"""Which drawing the terminal understands.

From the environment first (kitty sets ``KITTY_WINDOW_ID``; iTerm2, WezTerm
and VS Code set ``TERM_PROGRAM``; ``TERM`` names foot, mlterm, kitty,
Ghostty...); tmux (and screen) get half-blocks, since images do not pass
through them reliably. Only when the environment does not say, and only on
a terminal, we ask it: primary device attributes (``ESC [ c``), whose answer
lists 4 when the terminal draws sixel. The wait is short, and the question
is asked only while nothing else reads the keyboard (the REPL asks from
inside the printer, where prompt_toolkit has let go of its input).
"""

from __future__ import annotations

import os
import re
import select
import time
from collections.abc import Callable, Mapping

KINDS = ("kitty", "iterm", "sixel", "blocks", "blocks256", "none")
SETTING = ("auto", "kitty", "iterm", "sixel", "blocks", "off")
_SIXEL_TERMS = ("foot", "mlterm", "yaft", "contour", "wezterm")
_DA_REPLY = re.compile(rb"\x1b\[\?([0-9;]*)c")


def from_environment(env: Mapping[str, str]) -> str | None:
    """The drawing the environment names, or None when only asking can tell."""
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if env.get("TMUX") or term.startswith(("screen", "tmux")) or program == "tmux":
        return blocks_kind(env)
    if env.get("KITTY_WINDOW_ID") or term in ("xterm-kitty", "xterm-ghostty") or program in ("ghostty", "WezTerm"):
        return "kitty"
    if program in ("iTerm.app", "vscode") or env.get("LC_TERMINAL") == "iTerm2":
        return "iterm"
    if env.get("KONSOLE_VERSION"):
        return "kitty"
    if term.split("-")[0] in _SIXEL_TERMS:
        return "sixel"
    if term.startswith(("linux", "vt")):
        return blocks_kind(env)
    return None


def blocks_kind(env: Mapping[str, str]) -> str:
    truecolor = env.get("COLORTERM", "").lower() in ("truecolor", "24bit")
    return "blocks" if truecolor or env.get("TERM_PROGRAM") else "blocks256"


def choose(setting: str, env: Mapping[str, str], *, terminal: bool, ask: Callable[[], tuple[int, ...] | None] | None = None) -> str:
    """One of KINDS. ``terminal``: stdout is a terminal; ``ask``: the
    device-attributes question (None: don't ask)."""
    if setting == "off" or not terminal or env.get("NO_COLOR") or env.get("TERM", "") in ("", "dumb"):
        return "none"
    if setting == "blocks":
        return blocks_kind(env)
    if setting in ("kitty", "iterm", "sixel"):
        return setting
    named = from_environment(env)
    if named is not None:
        return named
    attributes = ask() if ask is not None else None
    if attributes and 4 in attributes[1:]:
        return "sixel"
    return blocks_kind(env)


def device_attributes(fd_in: int, fd_out: int, timeout: float) -> tuple[int, ...] | None:
    """Ask the terminal on ``fd_out`` for its primary device attributes and
    read the answer from ``fd_in`` for at most ``timeout`` seconds; None if
    it did not answer (or these are not terminals). Only the answer's bytes
    are read: reading stops at its final "c"."""
    try:
        import termios
        import tty
    except ImportError:  # (Windows: no termios; its terminals are named by the environment or get half-blocks)
        return None
    if timeout <= 0 or not (os.isatty(fd_in) and os.isatty(fd_out)):
        return None
    try:
        saved = termios.tcgetattr(fd_in)
    except termios.error:
        return None
    reply = b""
    try:
        tty.setcbreak(fd_in, termios.TCSANOW)
        os.write(fd_out, b"\x1b[c")
        deadline = time.monotonic() + timeout
        while not reply.endswith(b"c") or _DA_REPLY.search(reply) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd_in], [], [], left)[0]:
                break
            byte = os.read(fd_in, 1)
            if not byte or (not reply and byte != b"\x1b"):
                break  # not an answer: a key (it is lost, as any key typed during a redraw)
            reply += byte
    except OSError:
        return None
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    match = _DA_REPLY.search(reply)
    if match is None:
        return None
    return tuple(int(p) for p in match.group(1).split(b";") if p.isdigit())
