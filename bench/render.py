"""Rendering: what a long Markdown answer costs the views, and how far the
screen trails the stream.

``bench/run.py`` uses ``word_delays`` (a command in a pseudo-terminal taking a
stream paced one word per event: each word's delay to an emulated screen)
and ``repl_run`` (the REPL taking a fast stream: how far its screen trails).
Every screen is read with pyte, replaying the bytes read by read after the run.
"""

from __future__ import annotations

import re
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
        seen, once = seen_on_screen(term.output, term.times, mark, words=list(words) if pace_s >= 0.01 else None)
        missing = [w for w in words if w not in seen]
        lags = [seen.get(word, float("inf")) - (started_perf + index * pace_s) for word, index in words.items()]
        return {"cpu_s": cpu, "wall_s": took, "stream_s": len(pieces) * pace_s, "max_lag_s": max(lags),
                "p95_lag_s": sorted(lags)[int(len(lags) * 0.95)], "words": len(words), "once": once, "missing": missing[:10]}
    finally:
        term.close()



# -- word to screen: one word per event, each word's delay measured on an emulated screen ----------


def word_reply(words: int) -> list[str]:
    """A Markdown answer (paragraphs, a list, code, a heading) of about
    ``words`` unique words, cut into one whitespace-separated word per piece."""
    text = fixtures.markdown_reply(1, words * 10)[0]
    return re.findall(r"\S+\s*", text)


def write_stream(path: Path, pieces: list[str]) -> Path:
    events = fixtures._Events()
    lines = [events.partial(p) for p in pieces] + [events.final("".join(pieces))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"data: {line}\n\n" for line in lines), encoding="utf-8")
    return path


def seen_on_screen(output: bytes, reads: list[tuple[float, int]], mark: int, columns: int = 100, rows: int = 30,
                   words: list[str] | None = None) -> tuple[dict[str, float], bool | None]:
    """Each marker word -> the perf_counter() of the read after which it was
    first on the emulated screen (or scrolled through it); and, given
    ``words``, whether each is on the screen and its scrollback exactly once
    at the end. The bytes are replayed into pyte read by read after the run,
    so the emulator costs the run nothing; a word drawn in pieces, or a redraw
    that only rewrites the characters that changed, counts when the screen
    shows it whole. (Only the rows a read changed are looked at.)"""
    import pyte

    class Screen(pyte.Screen):  # HistoryScreen's scrollback, without its per-attribute cost
        def __init__(self, *args) -> None:
            super().__init__(*args)
            self.gone: list[dict] = []  # the rows that scrolled off the top

        def index(self) -> None:
            top, bottom = self.margins or pyte.screens.Margins(0, self.lines - 1)
            if self.cursor.y == bottom and top == 0:
                self.gone.append(self.buffer[top])
            super().index()

    def text_of(row) -> str:
        return "".join(row[x].data for x in range(columns))

    screen = Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    stream.feed(output[:mark])
    screen.dirty.clear()
    found: dict[str, float] = {}
    done, gone = mark, len(screen.gone)
    for at, length in reads:
        if length <= done:
            continue
        stream.feed(output[done:length])
        done = length
        # a row and the next one joined: a word the terminal wrapped at the right edge counts too
        texts = {y: text_of(screen.buffer[y]) for y in {d + k for d in screen.dirty for k in (-1, 0, 1)} if 0 <= y < rows}
        rows_read = [text_of(row) for row in screen.gone[gone:]] + [texts[y] for y in sorted(texts)]  # top to bottom
        shown = [row + (rows_read[n + 1] if n + 1 < len(rows_read) else "") for n, row in enumerate(rows_read)]
        screen.dirty.clear()
        gone = len(screen.gone)
        for word in MARKER.findall("\n".join(shown)):
            found.setdefault(word, at)
    if words is None:
        return found, None
    text = "\n".join(text_of(row).rstrip() for row in [*screen.gone, *(screen.buffer[y] for y in range(rows))])
    return found, _each_once(text, words)


def word_delays(b, command: list[str], pieces: list[str], stream: Path, pace_s: float, *, home: Path | None = None,
                repl: bool = False) -> dict:
    """``command`` in a 100x30 pseudo-terminal taking ``stream`` at one piece
    per ``pace_s``: each word's delay from the moment the simulator was due to
    write it to the moment it is on the emulated screen (p50, p95, max), the
    process's CPU over the stream, and whether each word is on the screen once.
    ``repl``: the command is the REPL; the turn starts with "go" typed at its prompt."""
    from run import Pty, cpu_seconds  # bench/run.py

    words = word_times(pieces)
    env = b.env
    if home is not None:
        env = {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_STATE_HOME": str(home / ".state"),
               "XDG_DATA_HOME": str(home / ".data"), "XDG_CACHE_HOME": str(home / ".cache")}
    term = Pty(command, env, emulated=True) if repl else None  # (where the cursor is, told as a terminal would)
    try:
        if term is not None:
            term.read_until("›".encode())
            term.read_until(b"Ready", timeout=30)
            term.drain(0.5)
        after = b.arm(stream, pace_s)
        if term is None:
            term = Pty(command, env)
        mark = len(term.output)
        cpu_start = cpu_seconds(term.process.pid)
        if repl:
            term.write(b"go\r")
        last = max(words, key=words.get).encode()
        term.read_until(last, timeout=len(pieces) * pace_s + 60)
        cpu = cpu_seconds(term.process.pid) - cpu_start
        term.drain(0.5)
        started = b.run_sse_started(after)
        started_perf = time.perf_counter() - (time.time() - started)
        seen, once = seen_on_screen(term.output, term.times, mark, words=list(words))
        delays = sorted(seen.get(w, float("inf")) - (started_perf + n * pace_s) for w, n in words.items())
        return {"p50_s": delays[len(delays) // 2], "p95_s": delays[int(len(delays) * 0.95)], "max_s": delays[-1], "cpu_s": cpu,
                "stream_s": len(pieces) * pace_s, "words": len(words), "once": once,
                "missing": [w for w in words if w not in seen][:10]}
    finally:
        if term is not None:
            term.close()


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
        seen, _ = seen_on_screen(term.output, term.times, 0)
        return max(seen.get(word, float("inf")) - (started_perf + index * pace_s) for word, index in words.items())
    finally:
        term.close()


def _each_once(text: str, words: list[str]) -> bool:
    import collections

    counts = collections.Counter(MARKER.findall(text))
    return all(counts[w] == 1 for w in words)
