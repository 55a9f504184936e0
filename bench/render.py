"""Rendering: what a long Markdown answer costs the views, and how far the
screen trails the stream.

``bench/run.py`` uses ``reply_stream`` and ``repl_run`` (the real REPL in a
pseudo-terminal, fed by the simulator at a fixed pace); run as a script, this
is the in-process probe of the rich view (``nemochat ask``):

    .venv/bin/python bench/render.py rich    # one JSON object: CPU seconds, words shown once
"""

from __future__ import annotations

import io
import json
import re
import sys
import time
from pathlib import Path

import fixtures

MARKER = re.compile(r"\b[A-Za-z][A-Za-z-]*\d+\b")  # every word of the reply is unique: "rain123"


def reply_stream(path: Path, deltas: int, size: int) -> tuple[Path, list[str]]:
    """The reply as an ADK stream: ``deltas`` partial events, then the final
    event with the whole text. Returns the file and the deltas."""
    pieces = fixtures.markdown_reply(deltas, size)
    events = fixtures._Events()
    lines = [events.partial(p) for p in pieces] + [events.final("".join(pieces))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"data: {line}\n\n" for line in lines), encoding="utf-8")
    return path, pieces


def word_times(pieces: list[str]) -> dict[str, int]:
    """Each marker word -> the index of the delta that completes it."""
    out: dict[str, int] = {}
    text, ends = "", []
    for n, piece in enumerate(pieces):
        text += piece
        ends.append((len(text), n))
    position = 0
    for match in MARKER.finditer(text):
        while ends[position][0] < match.end():
            position += 1
        out[match.group()] = ends[position][1]
    return out


def repl_run(b, pieces: list[str], stream: Path, pace_s: float, *, home: Path, settle_s: float = 0.5) -> dict:
    """The REPL against the simulator; the reply streamed at one event per
    ``pace_s``. Returns the REPL's CPU seconds over the stream, the worst lag
    of the screen behind the stream, and whether every word is on screen once."""
    from run import Pty, cpu_seconds  # bench/run.py

    words = word_times(pieces)
    env = {**b.env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_STATE_HOME": str(home / ".state"),
           "XDG_DATA_HOME": str(home / ".data"), "XDG_CACHE_HOME": str(home / ".cache")}
    term = Pty([*b.nemochat, "--api-base", b.sim.base_url], env)
    try:
        term.read_until("›".encode())
        term.read_until(b"Ready", timeout=30)  # connected: token and session
        term.drain(0.5)
        after = b.arm(stream, pace_s)
        mark = len(term.output)
        cpu_start = cpu_seconds(term.process.pid)  # from the Enter key: a few ms more than from the request
        term.write(b"go\r")
        last = max(words, key=words.get).encode()
        term.read_until(last, timeout=len(pieces) * pace_s + 60)
        term.drain(settle_s)
        # The request's time, read once it is all over (as floor_lag does): polling
        # for it while the stream starts competed with the simulator, in this
        # process, for the GIL, and delayed the stream by ~30 ms.
        started = b.run_sse_started(after)
        started_perf = time.perf_counter() - (time.time() - started)
        took = time.perf_counter() - started_perf
        cpu = cpu_seconds(term.process.pid) - cpu_start
        output = term.output[mark:]
        first = first_seen(output)  # word -> where it first shows in the output
        missing = [w for w in words if w not in first]
        lags, reads, position = [], term.times, 0
        for word, index in sorted(words.items(), key=lambda item: first.get(item[0], 1 << 62)):
            end = first.get(word)
            if end is None:
                lags.append(float("inf"))
                continue
            while reads[position][1] < mark + end:
                position += 1
            lags.append(reads[position][0] - (started_perf + index * pace_s))
        once = screen_once(output, list(words)) if pace_s >= 0.01 else None
        return {"cpu_s": cpu, "wall_s": took, "stream_s": len(pieces) * pace_s, "max_lag_s": max(lags),
                "p95_lag_s": sorted(lags)[int(len(lags) * 0.95)], "words": len(words), "once": once, "missing": missing[:10]}
    finally:
        term.close()


_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]")


def first_seen(output: bytes) -> dict[str, int]:
    """Each marker word -> the offset in ``output`` just past its first
    appearance (escape sequences are skipped: "\x1b[0mrain1" shows rain1)."""
    kept, starts, pos = [], [], 0  # the text between escapes, and where each piece starts (stripped, raw)
    stripped = 0
    for escape in _ESCAPES.finditer(output):
        kept.append(output[pos : escape.start()])
        starts.append((stripped, pos))
        stripped += escape.start() - pos
        pos = escape.end()
    kept.append(output[pos:])
    starts.append((stripped, pos))
    text = b"".join(kept)
    found: dict[str, int] = {}
    piece = 0
    for match in re.finditer(MARKER.pattern.encode(), text):
        end = match.end()
        while piece + 1 < len(starts) and starts[piece + 1][0] < end:
            piece += 1
        found.setdefault(match.group().decode(), starts[piece][1] + end - starts[piece][0])
    return found


def ask_cpu(b, stream: Path, pace_s: float) -> dict:
    """The floor of the REPL's cost: the same paced stream taken by
    ``nemochat --json ask`` (the same reading, parsing, turn and ledger; no
    view): its CPU seconds from the request to its exit."""
    import os
    import subprocess

    from run import cpu_seconds

    after = b.arm(stream, pace_s)
    process = subprocess.Popen([*b.nemochat, "--api-base", b.sim.base_url, "--json", "ask", "go"], env=b.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        try:
            started = b.run_sse_started(after)
            cpu_start = cpu_seconds(process.pid)
            break
        except RuntimeError:
            if process.poll() is not None or time.time() - after > 30:
                raise RuntimeError("nemochat ask did not start its turn") from None
            time.sleep(0.002)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"nemochat ask failed ({process.returncode})")
    return {"cpu_s": usage.ru_utime + usage.ru_stime - cpu_start, "wall_s": time.time() - started}


def floor_lag(b, pieces: list[str], stream: Path, pace_s: float) -> float:
    """The same stream shown by the floor (httpx-sse + json.loads, each piece
    written to the terminal as it comes): its worst lag behind the schedule."""
    from run import BENCH, PY, Pty

    words = word_times(pieces)
    after = b.arm(stream, pace_s)
    term = Pty([PY, str(BENCH / "floor.py"), "show", b.sim.base_url], b.env)
    try:
        last = max(words, key=words.get).encode()
        term.read_until(last, timeout=len(pieces) * pace_s + 60)
        started = b.run_sse_started(after)
        started_perf = time.perf_counter() - (time.time() - started)
        first = first_seen(term.output)
        return max(_seen_at(term.times, 0, end) - (started_perf + words[word] * pace_s) for word, end in first.items() if word in words)
    finally:
        term.close()


def _seen_at(reads: list[tuple[float, int]], mark: int, end: int) -> float:
    for at, length in reads:
        if length >= mark + end:
            return at
    return float("inf")


def screen_once(output: bytes, words: list[str]) -> bool | None:
    """Every word exactly once on the screen and in its scrollback (a terminal
    emulator replays the bytes: a live area redrawn in place counts once)."""
    try:
        import pyte
    except ImportError:
        return None  # pyte comes with the test extras; without it this is not checked
    screen = pyte.HistoryScreen(100, 30, history=100_000, ratio=0.5)
    pyte.Stream(screen).feed(output.decode("utf-8", errors="replace"))
    rows = [row for row in screen.history.top] + [screen.buffer[y] for y in range(screen.lines)]
    text = "\n".join("".join(row[x].data for x in range(100)).rstrip() for row in rows)
    return _each_once(text, words)


def _each_once(text: str, words: list[str]) -> bool:
    import collections

    counts = collections.Counter(MARKER.findall(text))
    return all(counts[w] == 1 for w in words)


def rich_probe(deltas: int = 2000, size: int = 47_000) -> dict:
    """The rich view of ``nemochat ask`` (a terminal console), fed the whole
    reply: its CPU time, and whether every word was printed exactly once."""
    from rich.console import Console

    from nemochat.core.turn import TurnState
    from nemochat.core.events import Text
    from nemochat.ui.rich_view import RichView

    pieces = fixtures.markdown_reply(deltas, size)
    out = io.StringIO()
    view = RichView(Console(file=out, force_terminal=True, width=100, highlight=False), interactive=True)
    turn = TurnState(started_at=0.0)
    started = time.process_time()
    for piece in pieces:
        for ui in turn.feed(Text(piece, True, "s/a"), 1.0):
            view.emit(ui)
    for ui in turn.feed(Text("".join(pieces), False, "s/a"), 1.0) + turn.close():
        view.emit(ui)
    cpu = time.process_time() - started
    shown = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    words = list(word_times(pieces))
    once = _each_once(shown, words)
    return {"cpu_s": cpu, "deltas": deltas, "chars": sum(map(len, pieces)), "once": once}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if sys.argv[1:] == ["rich"]:
        print(json.dumps(rich_probe()))
