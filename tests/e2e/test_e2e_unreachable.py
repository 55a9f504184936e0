"""Ctrl-C while NemoVideo is out of reach, in a pty: the REPL says what is
true (nothing reached the agent) and the retries stop, notices and all."""

from __future__ import annotations

import socket

import pexpect
import pytest

pytestmark = pytest.mark.timeout(120)

WATCH_SECONDS = 0.6  # six retry intervals: the window in which no retry may print


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ctrl_c_while_unreachable_says_nothing_was_sent_and_the_retries_stop(spawn):
    retrying = {"NEMOCHAT_CONNECT_RETRIES": "50", "NEMOCHAT_CONNECT_RETRY_WAIT": "0.1", "NEMOCHAT_CONNECT_RETRY_MAX_WAIT": "0.1"}
    term = spawn("--api-base", f"http://127.0.0.1:{closed_port()}", env=retrying)
    term.expect(r"NemoVideo unreachable, retrying")
    term.line("make a 10s clip of the sea")
    term.expect(r"unreachable, retrying")  # the line waits for the same attempt
    term.type("\x03")
    term.expect(r"Nothing reached the agent")
    with pytest.raises(pexpect.TIMEOUT):
        term.child.expect(r"retrying", timeout=WATCH_SECONDS)
    text = term.text()
    assert "may still be working" not in text
    term.type("\x04")
    assert term.exit_status() == 0


def test_ctrl_c_on_an_empty_line_stops_the_launchs_retries(spawn):
    retrying = {"NEMOCHAT_CONNECT_RETRIES": "50", "NEMOCHAT_CONNECT_RETRY_WAIT": "0.1", "NEMOCHAT_CONNECT_RETRY_MAX_WAIT": "0.1"}
    term = spawn("--api-base", f"http://127.0.0.1:{closed_port()}", env=retrying)
    term.expect(r"NemoVideo unreachable, retrying")
    term.type("\x03")
    term.expect(r"Stopped trying to reach NemoVideo")
    with pytest.raises(pexpect.TIMEOUT):
        term.child.expect(r"retrying", timeout=WATCH_SECONDS)
    term.until(lambda: "not connected" in " ".join(term.screen.display))
