"""History and idle, in a pty: a year of history costs nothing per key, an
idle REPL does not wake, Up after a prefix searches by it, Ctrl-X Ctrl-E
opens $EDITOR."""

from __future__ import annotations

from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.timeout(120)

IDLE_SECONDS = 1.5  # the window in which the idle REPL is watched (a measure, not a wait)


def wakeups(pid: int) -> int:
    """How often the REPL's main thread has gone to sleep and woken (voluntary context switches)."""
    for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches")


def quiet(term, seconds: float) -> None:
    """Read whatever the REPL writes for ``seconds`` (it should write nothing)."""
    with pytest.raises(pexpect.TIMEOUT):
        term.child.expect("never printed", timeout=seconds)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_an_idle_repl_does_not_wake(repl):
    repl.wait_idle_prompt()
    repl.until(lambda: "credits" in " ".join(repl.screen.display))
    quiet(repl, 0.5)  # the last redraws settle
    before = wakeups(repl.child.pid)
    quiet(repl, IDLE_SECONDS)
    woke = wakeups(repl.child.pid) - before
    assert woke <= 2, f"woke {woke} times in {IDLE_SECONDS} s"  # it woke 12 times a second


def test_a_years_history_is_cut_and_still_suggests(spawn, sim, term_env):
    history = Path(term_env["XDG_STATE_HOME"]) / "nemochat" / "history"
    history.parent.mkdir(parents=True)
    history.write_text("".join(f"\n# 2025\n+an old message {i}\n" for i in range(150_000)) + "\n# 2026\n+make a rainy Tokyo clip\n")
    term = spawn("--api-base", sim.base_url)
    term.expect("Ready")
    term.type("make a ra")
    term.until(lambda: "make a rainy Tokyo clip" in " ".join(term.screen.display))  # the dimmed suggestion
    term.type("\x05\r")  # Ctrl-E takes it
    term.expect(r"ready to export|Export the video")
    term.line("/quit")
    assert term.exit_status() == 0
    kept = history.read_text().count("\n+")
    assert 1 < kept <= 10_001


def sent_messages(sim) -> list[str]:
    return ["".join(p.get("text", "") for p in r.json["new_message"]["parts"]) for r in sim.world.requests_to("/run_sse")]


def test_up_after_a_prefix_searches_the_history_by_it(repl, sim, requests):
    repl.line("make a rainy Tokyo clip")
    repl.expect(r"Export the video now\?")
    repl.line("make it brighter")  # (declines the offer)
    assert requests.wait_for(lambda: len(sent_messages(sim)) == 2)
    repl.wait_idle_prompt()
    repl.type("make a")
    repl.type("\x1b[A")  # Up
    repl.until(lambda: "› make a rainy Tokyo clip" in " ".join(repl.screen.display))
    repl.type("\r")
    assert requests.wait_for(lambda: len(sent_messages(sim)) == 3)
    assert sent_messages(sim)[2] == "make a rainy Tokyo clip"


def test_ctrl_x_ctrl_e_edits_the_message_in_the_editor(spawn, sim, requests, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'a slow pan over the harbour\\nat dawn' > \"$1\"\n")
    editor.chmod(0o755)
    term = spawn("--api-base", sim.base_url, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    term.expect("Ready")
    term.type("draft")
    term.type("\x18\x05")  # Ctrl-X Ctrl-E
    term.until(lambda: "at dawn" in " ".join(term.screen.display))
    term.type("\r")
    assert requests.wait_for(lambda: len(sent_messages(sim)) == 1)
    assert sent_messages(sim) == ["a slow pan over the harbour\nat dawn"]
