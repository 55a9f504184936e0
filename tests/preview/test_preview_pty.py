"""`nemochat preview` on a real terminal (a pty): the drawing the terminal
names in its environment, or the one it answers to the device-attributes
question; nothing asked where the environment says."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pexpect
import pytest
from pty_zygote import NEMOCHAT, ZygoteChild

DEMO = Path(__file__).resolve().parents[2] / "nemochat/sim/media/clip.mp4"


@pytest.fixture
def video(tmp_path) -> Path:
    target = tmp_path / "rain.mp4"
    shutil.copy(DEMO, target)
    return target


@pytest.fixture
def spawn(zygotes):
    """``spawn(video, **env)``: ``nemochat preview VIDEO`` in a 100x30 pseudo-terminal,
    forked from the zygote (tests/pty_zygote.py; the interpreter's own settings,
    ``PYTHON*``, as this process has them, so the zygote is the one the other tests use)."""

    started: list[ZygoteChild] = []

    def start(video: Path, **env: str) -> ZygoteChild:
        base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ["HOME"], "LANG": "C.UTF-8",
                **{k: v for k, v in os.environ.items() if k.startswith("PYTHON")}}
        started.append(zygotes.spawn(NEMOCHAT, ["preview", str(video)], env={**base, **env}, cwd=os.getcwd(), dimensions=(30, 100), timeout=30))
        return started[-1]

    yield start
    for child in started:
        child.close()


def test_kitty_gets_the_graphics_protocol_without_being_asked(video, spawn):
    child = spawn(video, TERM="xterm-kitty", KITTY_WINDOW_ID="1")
    child.expect(pexpect.EOF)
    out = child.before
    assert b"\x1b[c" not in out  # the environment said: no question
    assert out.count(b"\x1b_Ga=T,f=100,q=2,") == 1 and b"\x1b_Gm=0;" in out
    assert "▶ rain.mp4 · 10.0 s".encode() in out


def test_a_terminal_that_answers_4_gets_sixel(video, spawn):
    child = spawn(video, TERM="xterm-256color", NEMOCHAT_PREVIEW_QUERY_TIMEOUT="20")
    child.expect_exact(b"\x1b[c")  # asked...
    child.send("\x1b[?62;4;22c")  # ... and answered as a sixel terminal does
    child.expect(pexpect.EOF)
    assert child.before.count(b"\x1bPq") == 1 and b"\x1b\\" in child.before


def test_a_terminal_that_does_not_answer_gets_half_blocks(video, spawn):
    child = spawn(video, TERM="xterm-256color", NEMOCHAT_PREVIEW_QUERY_TIMEOUT="0.05")
    child.expect(pexpect.EOF)
    assert "▀".encode() in child.before and b"\x1b[38;5;" in child.before  # 256 colours: no COLORTERM
    assert b"\x1b_G" not in child.before and b"\x1bPq" not in child.before


def test_no_color_gets_only_the_line(video, spawn):
    child = spawn(video, TERM="xterm-kitty", KITTY_WINDOW_ID="1", NO_COLOR="1")
    child.expect(pexpect.EOF)
    text = re.sub(rb"\x1b\[[0-9;]*m", b"", child.before)  # (rich keeps dim without colour, as NO_COLOR asks)
    assert text.strip() == "▶ rain.mp4 · 10.0 s · 320×180 · 24 fps · h264 · 162.2 KB".encode()
