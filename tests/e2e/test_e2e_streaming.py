"""Streaming that looks like streaming, end to end on an emulated screen.

The simulator plays a Markdown answer one word per event at 20 words/s; the
REPL (and ``nemochat ask`` on a terminal) runs in a pty whose output feeds a
terminal emulator (pyte) as it is read. Each word must be on the screen soon
after the simulator wrote it (a bound a loaded machine holds: the benchmark,
bench/run.py, measures the real figure against a floor), and every word must
be in the scrollback exactly once when the answer is done.
"""

from __future__ import annotations

import collections
import json
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pexpect
import pytest

from nemochat.sim import api as sim_api

NEMOCHAT = str(Path(sys.executable).with_name("nemochat"))

pytestmark = pytest.mark.timeout(120)

PACE_S = 0.05  # 20 words per second
BOUND_S = 0.5  # each word on the screen within this of its write
WORD = re.compile(r"\b[a-z]+\d+\b")


def word_answer() -> str:
    """A Markdown answer (a paragraph, a heading, a list, code, a paragraph) whose words are unique."""
    n = iter(range(1, 1000))
    words = lambda k, stem="rain": " ".join(f"{stem}{next(n)}" for _ in range(k))  # noqa: E731
    return (f"{words(14)} {words(10, 'neon')}\n\n## {words(3, 'title')}\n\n- {words(5, 'item')}\n- {words(5, 'item')}\n\n"
            f"```python\nclip = '{words(4, 'code')}'\n```\n\n{words(12, 'end')}")


def adk_stream(path: Path, text: str) -> list[str]:
    """The answer as ADK events: one word (and the blanks after it) per partial event, then the final."""
    pieces = re.findall(r"\S+\s*", text)
    events = [{"content": {"role": "model", "parts": [{"text": p}]}, "partial": True, "author": "nemo_agent"} for p in pieces]
    events.append({"content": {"role": "model", "parts": [{"text": text}]}, "partial": False, "author": "nemo_agent"})
    path.write_text("".join(f"data: {json.dumps(e)}\n\n" for e in events), encoding="utf-8")
    return pieces


def due_times(pieces: list[str]) -> dict[str, int]:
    """Each word -> the index of the event that brings it."""
    return {word: n for n, piece in enumerate(pieces) for word in WORD.findall(piece)}


def watch_words(term, due: dict[str, int], started: callable) -> dict[str, float]:
    """Read the terminal until every word has been on the screen; each word ->
    how long after its write it was first seen (the screen, and the lines
    that scrolled off it since the last read)."""
    screen, seen_at = term.screen, {}
    history = len(screen.history.top)
    deadline = time.monotonic() + len(due) * PACE_S + 30
    while len(seen_at) < len(due) and time.monotonic() < deadline:
        try:
            term.child.read_nonblocking(65536, timeout=1)  # (logfile_read feeds the emulator)
        except pexpect.TIMEOUT:
            continue
        now = time.time()
        top = list(screen.history.top)
        fresh = ["".join(row[x].data for x in range(screen.columns)) for row in top[history:]]
        history = len(top)
        for word in WORD.findall("\n".join(fresh + list(screen.display))):
            if word in due and word not in seen_at:
                seen_at[word] = now
    base = started()
    return {word: seen_at.get(word, float("inf")) - (base + due[word] * PACE_S) for word in due}


def blank_runs(lines: list[str]) -> list[int]:
    """The lengths of the runs of blank lines inside the answer (first word to last)."""
    marked = [n for n, line in enumerate(lines) if WORD.search(line)]
    runs, run = [], 0
    for line in lines[marked[0] : marked[-1] + 1]:
        if line.strip():
            if run:
                runs.append(run)
            run = 0
        else:
            run += 1
    return runs


def counts(term) -> collections.Counter[str]:
    return collections.Counter(WORD.findall("\n".join(term.lines())))


def test_the_repl_shows_each_word_as_it_streams_and_once(repl, sim, tmp_path):
    pieces = adk_stream(tmp_path / "answer.sse", word_answer())
    due = due_times(pieces)
    sim.world.set_faults(replay_stream={"path": str(tmp_path / "answer.sse"), "pace_s": PACE_S})
    repl.line("go")
    late = watch_words(repl, due, lambda: sim.world.requests_to("/run_sse")[-1].time)
    assert max(late.values()) < BOUND_S, sorted(late.items(), key=lambda item: -item[1])[:5]
    repl.wait_idle_prompt()
    shown = counts(repl)
    assert {word: shown[word] for word in due if shown[word] != 1} == {}, "each word exactly once in the scrollback"
    assert blank_runs(repl.lines()) == [1, 1, 1, 1], "one blank line between two blocks, never two"


def test_ask_on_a_terminal_shows_each_word_as_it_streams_and_once(spawn, sim, tmp_path):
    pieces = adk_stream(tmp_path / "answer.sse", word_answer())
    due = due_times(pieces)
    sim.world.set_faults(replay_stream={"path": str(tmp_path / "answer.sse"), "pace_s": PACE_S})
    term = spawn("--api-base", sim.base_url, "ask", "go")
    late = watch_words(term, due, lambda: sim.world.requests_to("/run_sse")[-1].time)
    assert max(late.values()) < BOUND_S, sorted(late.items(), key=lambda item: -item[1])[:5]
    assert term.exit_status() == 0
    shown = counts(term)
    assert {word: shown[word] for word in due if shown[word] != 1} == {}, "each word exactly once in the scrollback"
    assert blank_runs(term.lines()) == [1, 1, 1, 1], "one blank line between two blocks, never two"


def test_ask_to_a_pipe_writes_the_answer_as_it_arrives(sim, term_env, tmp_path, monkeypatch, zygotes):
    """`nemochat ask … | tee answer.md`: the first paragraph reaches the pipe
    while the simulator is still writing the answer, as Markdown source, one line per paragraph."""
    finished = threading.Event()  # the simulator wrote the answer's last event
    recorded = sim_api._recorded

    async def replay(*args):
        async for chunk in recorded(*args):
            yield chunk
        finished.set()

    monkeypatch.setattr(sim_api, "_recorded", replay)
    text = word_answer()
    pieces = adk_stream(tmp_path / "answer.sse", text)
    sim.world.set_faults(replay_stream={"path": str(tmp_path / "answer.sse"), "pace_s": PACE_S})
    # (forked from the zygote, output to pipes: tests/pty_zygote.py)
    process = zygotes.popen(NEMOCHAT, ["--api-base", sim.base_url, "ask", "go"], env={**term_env, "COLUMNS": "40"},
                            cwd=str(tmp_path), text=False)
    try:
        first = process.stdout.readline()  # the first paragraph: written as it streams, ended when its block ends
        assert not finished.is_set(), "the first paragraph came while the answer was still streaming"
        rest = process.stdout.read()
    finally:
        process.wait(30)
    assert process.returncode == 0
    out = (first + rest).decode()
    assert first.decode().rstrip("\n") == text.split("\n\n")[0], "the Markdown source, one line per paragraph, not wrapped at 40"
    assert out.strip() == text.strip()
    assert len(pieces) > 40


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux: a terminal that reflows rows on a narrower window")
def test_a_narrower_window_mid_answer_leaves_each_line_once(sim, term_env, tmp_path):
    """tmux reflows the rows of the live area when the window
    narrows; the REPL must erase all of them, or their top stays in the scrollback twice."""
    pieces = adk_stream(tmp_path / "answer.sse", word_answer())
    due = due_times(pieces)
    sim.world.set_faults(replay_stream={"path": str(tmp_path / "answer.sse"), "pace_s": PACE_S})
    socket, fifo = f"nemochat-test-{os.getpid()}", tmp_path / "screen.fifo"
    os.mkfifo(fifo)

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=True, timeout=30).stdout

    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in term_env.items() if k not in ("TERM", "COLUMNS", "LINES"))
    command = f"read go; exec env {env} {NEMOCHAT} --api-base {sim.base_url}"  # starts once the output is piped
    tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "35", f"sh -c {shlex.quote(command)}")
    try:
        tmux("pipe-pane", "-t", "t", "-o", f"cat > {shlex.quote(str(fifo))}")
        output = Reader(os.open(fifo, os.O_RDONLY))
        tmux("send-keys", "-t", "t", "Enter")
        output.until(b"Ready")
        tmux("send-keys", "-t", "t", "go", "Enter")
        output.until(b"neon20")  # mid-paragraph: its first lines are in the live area, 119 columns wide
        tmux("resize-window", "-t", "t", "-x", "80")
        output.until(b"end" + str(max(int(w[3:]) for w in due if w.startswith("end"))).encode())
        tmux("send-keys", "-t", "t", "/help jobs", "Enter")  # a marker printed after everything queued
        output.until(b"background jobs")
        captured = tmux("capture-pane", "-t", "t", "-p", "-J", "-S", "-")
        shown = collections.Counter(WORD.findall(captured))
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=30)
    assert {word: shown[word] for word in due if shown[word] != 1} == {}, "each word exactly once in the scrollback"
    assert captured.count("› go") == 1 and captured.count("Ready") == 1, "nothing printed above was erased"


class Reader:
    """What the pane shows, as tmux pipes it: read (blocking, with a deadline) until a marker."""

    def __init__(self, fd: int) -> None:
        self.fd, self.data = fd, b""

    def until(self, marker: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.data:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self.fd, 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"{marker!r} never showed: {self.data[-500:]!r}")
            self.data += chunk
