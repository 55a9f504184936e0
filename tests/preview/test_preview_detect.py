"""Which drawing: from the environment and the setting, and from a real
terminal's answer to the device-attributes question (over a pty)."""

from __future__ import annotations

import os
import pty
import threading
import time

import pytest

from nemochat.preview.detect import choose, device_attributes, from_environment


@pytest.mark.parametrize("env, kind", [
    ({"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}, "kitty"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "kitty"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "iterm"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "vscode"}, "iterm"),
    ({"TERM": "foot"}, "sixel"),
    ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "1"}, "blocks256"),
    ({"TERM": "screen-256color", "COLORTERM": "truecolor"}, "blocks"),
    ({"TERM": "xterm-256color"}, None),  # only asking can tell
])
def test_the_environment_names_the_drawing(env, kind):
    assert from_environment(env) == kind


def test_no_color_dumb_terminals_and_pipes_get_no_image():
    never = lambda: pytest.fail("asked the terminal")  # noqa: E731
    assert choose("auto", {"TERM": "xterm-kitty", "NO_COLOR": "1"}, terminal=True, ask=never) == "none"
    assert choose("kitty", {"TERM": "dumb"}, terminal=True, ask=never) == "none"
    assert choose("auto", {"TERM": "xterm-kitty"}, terminal=False, ask=never) == "none"
    assert choose("off", {"TERM": "xterm-kitty"}, terminal=True, ask=never) == "none"


def test_the_setting_wins_and_the_answer_decides_when_the_environment_cannot():
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    assert choose("sixel", {"TERM": "xterm-kitty"}, terminal=True) == "sixel"
    assert choose("blocks", {"TERM": "xterm-kitty"}, terminal=True) == "blocks256"
    assert choose("auto", env, terminal=True, ask=lambda: (62, 4, 22)) == "sixel"
    assert choose("auto", env, terminal=True, ask=lambda: (62, 22)) == "blocks"
    assert choose("auto", env, terminal=True, ask=lambda: None) == "blocks"


def play_terminal(master: int, answer: bytes | None, typed: bytes = b"") -> threading.Thread:
    """The far end of the pty: waits for the question, then answers it."""

    def run() -> None:
        asked = b""
        while b"\x1b[c" not in asked:
            asked += os.read(master, 64)
        if answer is not None:
            os.write(master, typed + answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def pty_pair():
    master, slave = pty.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def test_a_terminal_that_draws_sixel_says_4(pty_pair):
    master, slave = pty_pair
    terminal = play_terminal(master, b"\x1b[?62;4;22c")
    assert device_attributes(slave, slave, 5.0) == (62, 4, 22)
    terminal.join(5)


def test_a_silent_terminal_costs_only_the_timeout(pty_pair):
    master, slave = pty_pair
    play_terminal(master, None)
    started = time.monotonic()
    assert device_attributes(slave, slave, 0.05) is None
    assert time.monotonic() - started < 5  # returned (a hang would be the test's timeout)


def test_a_key_typed_first_is_not_taken_for_the_answer(pty_pair):
    master, slave = pty_pair
    play_terminal(master, b"\x1b[?62;4c", typed=b"h")
    assert device_attributes(slave, slave, 5.0) is None  # reading stopped at the key: no wait for more


def test_not_a_terminal_is_never_asked(tmp_path):
    with open(tmp_path / "f", "w+b") as f:
        assert device_attributes(f.fileno(), f.fileno(), 5.0) is None
