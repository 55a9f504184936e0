"""Close the terminal in the middle of a generation, open nemochat again:
the session, the user's message, everything received so far, and the open
turn are all there. A real ``nemochat ask`` is killed with SIGKILL mid-turn."""

from __future__ import annotations

import json
import os
import signal

import pytest
from pty_zygote import NEMOCHAT

from nemochat.settings import Paths
from nemochat.sim import start_simulator
from nemochat.store import Ledger, ledger_path


@pytest.fixture
def slow_sim():
    """Answers at once until the music tool, which then runs for an hour."""
    with start_simulator(port=0, time_scale=1.0) as running:
        running.world.configure(think_s=0, piece_s=0, generation_s=0, tool_s=3600, heartbeat_s=3600)
        yield running


def test_a_process_killed_mid_stream_leaves_what_it_had(slow_sim, cli, zygotes):
    env = {**os.environ}
    ask = zygotes.popen(NEMOCHAT, ["--api-base", slow_sim.base_url, "--json", "ask", "make a 10s rainy Tokyo clip"],
                        env=env, cwd=os.getcwd())
    seen = []
    try:
        for line in ask.stdout:  # blocks until nemochat prints; the view prints after the ledger wrote
            event = json.loads(line)
            seen.append(event)
            if event.get("type") == "tool" and event.get("name") == "generate_music" and event.get("phase") == "call":
                break
        ask.send_signal(signal.SIGKILL)
    finally:
        ask.kill()
        ask.wait(30)
    assert ask.returncode == -signal.SIGKILL
    shown = [e["text"] for e in seen if e["type"] == "text"]
    assert len(shown) == 1 and "rainy Tokyo" in shown[0]

    with Ledger(ledger_path(Paths.default())) as ledger:
        session = ledger.last_session(slow_sim.base_url)
        (turn,) = ledger.turns(session.id)
    assert turn.user_text == "make a 10s rainy Tokyo clip"
    assert turn.messages == tuple(shown)
    assert turn.tools == ("generate_video_with_seedance", "generate_music")
    assert not turn.finished and turn.error is None

    # nemochat again, as the user would: the session, its history, the open turn
    listed = cli("--api-base", slow_sim.base_url, "sessions")
    assert listed.returncode == 0 and session.id in listed.stdout and "make a 10s rainy Tokyo clip" in listed.stdout
    log = cli("--api-base", slow_sim.base_url, "log")
    assert log.returncode == 0, log.stderr
    assert "you: make a 10s rainy Tokyo clip" in log.stdout and "rainy Tokyo" in log.stdout
    assert "· Composing music" in log.stdout and "unfinished" in log.stdout
