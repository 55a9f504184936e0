"""Every performance figure the README's "Performance" table shows, each as a ratio against a floor
measured in the same run (these machines are noisy: runs are interleaved
and medians are taken).

    .venv/bin/python bench/run.py            # everything, < 5 minutes on 2 cores
    .venv/bin/python bench/run.py --quick    # a smoke run (smaller, fewer repeats)
    .venv/bin/python bench/run.py --only startup,streaming

It builds what it needs (ADK fixtures of 100k and 1M events, cached in
bench/out/fixtures), runs the simulator in this process (a thread), runs
nemochat and the floors as fresh processes with a throw-away HOME, prints a
table (figure, nemochat, floor, ratio, goal, result) and writes it as JSON to
bench/out/latest.json (and a timestamped copy). Exit status 1 if a goal is
missed. See README.md, "Performance", for what each figure means.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PY = sys.executable
sys.path.insert(0, str(BENCH))

try:
    import nemochat  # noqa: F401
except ImportError:
    sys.exit("bench/run.py needs nemochat installed: run it with the project's venv, .venv/bin/python bench/run.py")

import fixtures  # noqa: E402  (bench/fixtures.py)


@dataclass
class Row:
    figure: str
    nemochat: str
    floor: str
    ratio: str
    goal: str
    passed: bool
    values: dict = field(default_factory=dict)  # the raw numbers, for the JSON file


class Bench:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.rows: list[Row] = []
        self.home = Path(tempfile.mkdtemp(prefix="nemochat-bench-home-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMOCHAT_", "NEMO_", "NANOPHOTO_", "SORA_", "PYTHONDONTWRITEBYTECODE"))}
        self.env.pop("NO_COLOR", None)  # colours on, as people see it
        self.env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"), XDG_STATE_HOME=str(self.home / ".state"),
                        XDG_DATA_HOME=str(self.home / ".data"), XDG_CACHE_HOME=str(self.home / ".cache"), TERM="xterm-256color",
                        LANG="C.UTF-8", COLUMNS="100", LINES="30")
        script = Path(PY).with_name("nemochat")
        self.nemochat = [str(script)] if script.is_file() else [PY, "-m", "nemochat"]
        self._sim = None

    def add(self, row: Row) -> None:
        self.rows.append(row)
        mark = "ok" if row.passed else "MISSED"
        print(f"  {row.figure}: {row.nemochat} vs {row.floor} -> {row.ratio} (goal {row.goal}) {mark}", flush=True)

    @property
    def sim(self):
        if self._sim is None:
            from nemochat.sim import start_simulator

            self._sim = start_simulator(time_scale=0)
        return self._sim

    def arm(self, path: Path, pace_s: float = 0.0, chunk: int = 64 * 1024) -> float:
        """The next /run_sse plays ``path`` (in ``chunk``-byte writes when not
        paced); returns the time to find its request after."""
        self.sim.world.set_faults(replay_stream={"path": str(path), "pace_s": pace_s, "chunk": chunk})
        return time.time()

    def run_sse_started(self, after: float) -> float:
        requests = [r for r in self.sim.world.requests_to("/run_sse") if r.time >= after]
        if not requests:
            raise RuntimeError("no /run_sse request reached the simulator")
        return requests[-1].time

    def close(self) -> None:
        if self._sim is not None:
            self._sim.stop()
        shutil.rmtree(self.home, ignore_errors=True)


# -- helpers ------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def interleaved(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each run once per round, the order reversed every other round (ABC CBA ...)."""
    out: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for n in range(rounds):
        for name in names if n % 2 == 0 else reversed(names):
            out[name].append(runs[name]())
    return out


def wall(command: list[str], env: dict[str, str], **kwargs) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode(errors='replace')[-500:]}")
    return took


def finished_writing(command: list[str], env: dict[str, str]) -> float:
    """Run ``command`` with its output going to a file; the time.time() of its
    last write (the file's mtime). A file, not a pipe read here: this process
    also runs the simulator, and a reader thread waiting for the GIL let the
    pipe fill and held up a client that writes as it goes (nemochat writes a
    line per message; the floors write once, at the end)."""
    with tempfile.NamedTemporaryFile(prefix="nemochat-bench-out-") as out:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
        _, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {err.decode(errors='replace')[-500:]}")
        if os.fstat(out.fileno()).st_size == 0:
            raise RuntimeError(f"{' '.join(command)} wrote nothing")
        return os.fstat(out.fileno()).st_mtime_ns / 1e9


class Pty:
    """A command in a pseudo-terminal (100x30); answers cursor-position queries like a terminal.

    ``emulated``: a terminal emulator (pyte) follows the output as it is read and
    answers where the cursor really is, as tmux or xterm would; otherwise every
    answer is row 1 (cheaper for the bench itself, but the REPL then lays out
    the whole screen below its prompt on every redraw, as no real terminal makes it)."""

    def __init__(self, command: list[str], env: dict[str, str], rows: int = 30, columns: int = 100, *, emulated: bool = False) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, env={**env, "COLUMNS": str(columns), "LINES": str(rows)}, stdin=slave, stdout=slave,
                                        stderr=slave, start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = b""
        self.times: list[tuple[float, int]] = []  # (perf_counter, len(output) after the read)
        self.screen = None
        if emulated:
            import pyte

            master = self.master

            class Answering(pyte.Screen):
                def write_process_input(self, data: str) -> None:
                    if data.endswith("R"):  # the cursor's position (not pyte's device attributes)
                        os.write(master, data.encode())

            self.screen = pyte.ByteStream(Answering(columns, rows))

    def read_until(self, marker: bytes, timeout: float = 30.0) -> float:
        """Read until ``marker`` shows; returns the perf_counter() of that read."""
        deadline = time.perf_counter() + timeout
        while marker not in self.output:
            if not self.read(deadline - time.perf_counter()):
                raise TimeoutError(f"{marker!r} never showed; got {self.output[-800:]!r}")
        for at, length in self.times:
            if marker in self.output[:length]:
                return at
        return self.times[-1][0]

    def read(self, timeout: float) -> bool:
        if timeout <= 0:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            return False
        now = time.perf_counter()
        if not data:
            return False
        if self.screen is not None:
            self.screen.feed(data)  # (answers a cursor question at its place in the output)
        elif b"\x1b[6n" in data:  # where is the cursor? (prompt_toolkit asks)
            os.write(self.master, b"\x1b[1;1R")
        self.output += data
        self.times.append((now, len(self.output)))
        return True

    def drain(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.read(end - time.perf_counter())

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)
        os.close(self.master)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int) -> float:
    """A running process's peak RSS so far (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": model, "python": platform.python_version(), "platform": platform.platform()}


# -- the figures -----------------------------------------------------------------------------


def startup(b: Bench) -> None:
    """`nemochat --version` against `python -c pass`: median wall of interleaved runs."""
    rounds = 10 if b.quick else 20
    wall([PY, "-c", "pass"], b.env), wall([*b.nemochat, "--version"], b.env)  # warm the page cache
    got = interleaved({"pass": lambda: wall([PY, "-c", "pass"], b.env), "version": lambda: wall([*b.nemochat, "--version"], b.env)}, rounds)
    ours, floor = median(got["version"]), median(got["pass"])
    b.add(Row("start-up: nemochat --version", f"{ours * 1000:.1f} ms", f"{floor * 1000:.1f} ms (python -c pass)", f"{ours / floor:.2f}x", "≤ 1.5x",
              ours / floor <= 1.5, {"runs": rounds, **got}))


def prompt(b: Bench) -> None:
    """`nemochat --demo` in a pseudo-terminal until the prompt is drawn, against
    a script that imports the five dependencies, builds a PromptSession and an
    AsyncClient and draws a prompt."""
    rounds = 5 if b.quick else 10

    def until_prompt(command: list[str]) -> Callable[[], float]:
        def run() -> float:
            term = Pty(command, b.env)
            try:
                return term.read_until("›".encode()) - term.started
            finally:
                term.close()

        return run

    until_prompt([PY, str(BENCH / "floor.py"), "prompt"])(), until_prompt([*b.nemochat, "--demo"])()  # warm-up
    got = interleaved({"floor": until_prompt([PY, str(BENCH / "floor.py"), "prompt"]), "nemochat": until_prompt([*b.nemochat, "--demo"])}, rounds)
    ours, floor = median(got["nemochat"]), median(got["floor"])
    b.add(Row("time to prompt: nemochat --demo", f"{ours * 1000:.0f} ms", f"{floor * 1000:.0f} ms (deps + PromptSession)", f"{ours / floor:.2f}x",
              "≤ 1.0x", ours / floor <= 1.0, {"runs": rounds, **got}))


def timed_from_request(b: Bench, path: Path, command: list[str], chunk: int = 64 * 1024) -> Callable[[], float]:
    """A run of ``command`` against the simulator playing ``path``: the seconds
    from the /run_sse request to the client's last write (the last answer for
    nemochat, the count for a floor): neither start-up nor tear-down is throughput."""

    def run() -> float:
        after = b.arm(path, chunk=chunk)
        return finished_writing(command, b.env) - b.run_sse_started(after)

    return run


def _goal(ratio: float, goal: float | None) -> tuple[str, bool]:
    """(goal, passed) of a throughput row; the (a) goals are retired (floor (a)
    reads raw bytes and parses nothing, which no client that parses events can
    come near): their rows stay, as information."""
    return ("info (retired)", True) if goal is None else (f"≥ {goal}x", ratio >= goal)


def streaming(b: Bench) -> None:
    """Events per second through nemochat (a live `ask` and an offline `replay
    --json`) against httpx `aiter_raw()` (a) and httpx-sse + json.loads (b),
    every one a fresh process reading the same stream."""
    path, meta = fixtures.fixture(100_000)
    one = fixtures.one_event(OUT / "fixtures" / "one-event.sse")
    events, rounds = meta["events"], 2 if b.quick else 6

    from_request = functools.partial(timed_from_request, b, path)
    base = b.sim.base_url
    replay = [*b.nemochat, "--json", "replay"]
    wall([*b.nemochat, "--api-base", base, "--json", "ask", "warm up"], b.env)  # token and session, once
    got = interleaved({
        "raw": from_request([PY, str(BENCH / "floor.py"), "raw", base]),
        "sse": from_request([PY, str(BENCH / "floor.py"), "sse", base]),
        "live": from_request([*b.nemochat, "--api-base", base, "--json", "ask", "go"]),
        "replay": lambda: wall([*replay, str(path)], b.env),
        "replay_fixed": lambda: wall([*replay, str(one)], b.env),  # the same command with nothing to do
    }, rounds)
    rate = {name: events / median(times) for name, times in got.items() if name != "replay_fixed"}
    rate["replay"] = events / max(1e-3, median(got["replay"]) - median(got["replay_fixed"]))
    values = {"events": events, "bytes": meta["bytes"], "rounds": rounds, "seconds": got, "events_per_s": rate}
    for name, label in (("live", "live turn (ask --json)"), ("replay", "replay BIG.sse --json")):
        for floor, goal, what in (("raw", None, "(a) aiter_raw"), ("sse", 0.8, "(b) httpx-sse+json")):
            ratio = rate[name] / rate[floor]
            b.add(Row(f"throughput: {label} vs {what}", f"{rate[name] / 1000:.1f}k ev/s", f"{rate[floor] / 1000:.1f}k ev/s", f"{ratio:.2f}x",
                      *_goal(ratio, goal), values))


def streaming_small_writes(b: Bench) -> None:
    """The live turn again, with the simulator writing 300 bytes at a time
    (about one event per write, as ADK's server sends them) instead of 64 KB:
    reading is then no longer nearly free, which is the regime the issue's
    figures describe ((b) about half of (a))."""
    path, meta = fixtures.fixture(20_000)
    events, rounds = meta["events"], 2 if b.quick else 6
    base = b.sim.base_url
    from_request = functools.partial(timed_from_request, b, path, chunk=300)
    wall([*b.nemochat, "--api-base", base, "--json", "ask", "warm up"], b.env)
    got = interleaved({
        "raw": from_request([PY, str(BENCH / "floor.py"), "raw", base]),
        "sse": from_request([PY, str(BENCH / "floor.py"), "sse", base]),
        "live": from_request([*b.nemochat, "--api-base", base, "--json", "ask", "go"]),
    }, rounds)
    rate = {name: events / median(times) for name, times in got.items()}
    values = {"events": events, "bytes": meta["bytes"], "write_bytes": 300, "rounds": rounds, "seconds": got, "events_per_s": rate}
    for floor, goal, what in (("raw", None, "(a) aiter_raw"), ("sse", 0.8, "(b) httpx-sse+json")):
        ratio = rate["live"] / rate[floor]
        b.add(Row(f"throughput, 300-byte writes: live turn vs {what}", f"{rate['live'] / 1000:.1f}k ev/s", f"{rate[floor] / 1000:.1f}k ev/s",
                  f"{ratio:.2f}x", *_goal(ratio, goal), values))


def cpu(command: list[str], env: dict[str, str], **kwargs) -> float:
    """The CPU seconds (user + system) a run of ``command`` took: on a shared
    machine, far steadier than its wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall(command, env, **kwargs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_message(b: Bench) -> None:
    """The cost of ONE streamed message is linear in its length (a long answer must not slow down as it grows).
    `replay --json` of one message of 100k partial events (~6 MB) against
    floor (b) reading the same file from the simulator (wall, as the
    throughput rows); then, in the client's CPU seconds less those of the
    same command taking a one-event stream: time(4n)/time(n) of the live turn
    (`ask --json`) and of the rich view (`replay` as on a terminal, below its
    Markdown limit), and the rich view of one 16 MB answer against `--json`."""
    n = 5_000 if b.quick else 25_000
    small, big = (fixtures.one_message(k, OUT / "fixtures" / f"one-message-{k}.sse") for k in (n, 4 * n))
    # the rich view's growth is measured below its MARKDOWN_LIMIT (256 KB), where every block is rendered
    rich_n = 1_000
    rich_small, rich_big = (fixtures.one_message(k, OUT / "fixtures" / f"one-message-{k}.sse") for k in (rich_n, 4 * rich_n))
    one = fixtures.one_event(OUT / "fixtures" / "one-event.sse")
    huge = fixtures.one_big_event(2_000_000 if b.quick else 16_000_000, OUT / "fixtures" / ("answer-2mb.sse" if b.quick else "answer-16mb.sse"))
    rounds, base = (2 if b.quick else 5), b.sim.base_url  # 5: a CPU difference of a few tenths of a second
    replay, rich, ask = [*b.nemochat, "--json", "replay"], [*b.nemochat, "replay"], [*b.nemochat, "--api-base", base, "--json", "ask", "go"]
    # the rich view as on a terminal (Markdown rendered; to a file it prints the Markdown as written)
    term = {**b.env, "TTY_COMPATIBLE": "1"}

    def live_cpu(path: Path) -> Callable[[], float]:
        def run() -> float:
            b.arm(path)
            return cpu(ask, b.env)

        return run

    wall([*b.nemochat, "--api-base", base, "--json", "ask", "warm up"], b.env)
    got = interleaved({
        "sse_big": timed_from_request(b, big, [PY, str(BENCH / "floor.py"), "sse", base]),
        "replay_big": lambda: wall([*replay, str(big)], b.env),
        "replay_fixed": lambda: wall([*replay, str(one)], b.env),
        "live_small_cpu": live_cpu(small),
        "live_big_cpu": live_cpu(big),
        "live_fixed_cpu": live_cpu(one),
        "rich_small_cpu": lambda: cpu([*rich, str(rich_small)], term),
        "rich_big_cpu": lambda: cpu([*rich, str(rich_big)], term),
        "rich_fixed_cpu": lambda: cpu([*rich, str(one)], term),
        "rich_huge_cpu": lambda: cpu([*rich, str(huge)], term, timeout=900),
        "json_huge_cpu": lambda: cpu([*replay, str(huge)], b.env),
    }, rounds)
    m = {name: median(times) for name, times in got.items()}
    values = {"n": n, "rich_n": rich_n, "rounds": rounds, "seconds": got, "median_s": m}
    replay_s = max(1e-3, m["replay_big"] - m["replay_fixed"])
    b.add(Row(f"one message: replay --json, {4 * n // 1000}k partial events", f"{replay_s:.2f} s", f"{m['sse_big']:.2f} s ((b) httpx-sse+json)",
              f"{replay_s / m['sse_big']:.2f}x", "≤ 1.25x", replay_s / m["sse_big"] <= 1.25, values))
    live_big, live_small = m["live_big_cpu"] - m["live_fixed_cpu"], max(1e-3, m["live_small_cpu"] - m["live_fixed_cpu"])
    b.add(Row(f"one message: live turn, {4 * n // 1000}k vs {n // 1000}k events", f"{live_big:.2f} s CPU", f"{live_small:.2f} s CPU",
              f"{live_big / live_small:.2f}x", "≤ 4.5x", live_big / live_small <= 4.5, values))
    rich_big_s, rich_small_s = m["rich_big_cpu"] - m["rich_fixed_cpu"], max(1e-3, m["rich_small_cpu"] - m["rich_fixed_cpu"])
    b.add(Row(f"one message: rich view, {4 * rich_n // 1000}k vs {rich_n // 1000}k events", f"{rich_big_s:.2f} s CPU", f"{rich_small_s:.2f} s CPU",
              f"{rich_big_s / rich_small_s:.2f}x", "≤ 4.5x", rich_big_s / rich_small_s <= 4.5, values))
    size = "2 MB" if b.quick else "16 MB"
    ratio = m["rich_huge_cpu"] / m["json_huge_cpu"]
    b.add(Row(f"one message: rich view of a {size} answer", f"{m['rich_huge_cpu']:.2f} s CPU", f"{m['json_huge_cpu']:.2f} s CPU (--json)",
              f"{ratio:.2f}x", "≤ 2x", ratio <= 2.0, values))


def first_text(b: Bench) -> None:
    """A one-event stream: from the /run_sse request to the text on the
    terminal, `nemochat ask` (the rich view, in a pseudo-terminal) against (b)."""
    one = fixtures.one_event(OUT / "fixtures" / "one-event.sse")
    rounds = 5 if b.quick else 10
    base = b.sim.base_url
    text = b"Hello from the agent."

    def shown(command: list[str]) -> Callable[[], float]:
        def run() -> float:
            after = b.arm(one)
            term = Pty(command, b.env)
            try:
                seen_perf = term.read_until(text)
                seen = time.time() - (time.perf_counter() - seen_perf)
                return seen - b.run_sse_started(after)
            finally:
                term.close()

        return run

    ask = [*b.nemochat, "--api-base", base, "ask", "hi"]
    shown(ask)(), shown([PY, str(BENCH / "floor.py"), "first", base])()  # warm-up (token, session)
    got = interleaved({"floor": shown([PY, str(BENCH / "floor.py"), "first", base]), "nemochat": shown(ask)}, rounds)
    ours, floor = median(got["nemochat"]), median(got["floor"])
    delta = (ours - floor) * 1000
    b.add(Row("first visible text, 1-event stream", f"{ours * 1000:.1f} ms", f"{floor * 1000:.1f} ms (b)", f"{delta:+.1f} ms", "≤ +2 ms",
              delta <= 2.0, {"runs": rounds, **got}))


def rendering(b: Bench) -> None:
    """A 2,000-delta (47 KB) Markdown answer at 10k deltas/s: how far the
    REPL's screen (pyte, fed by a pseudo-terminal) trails the stream, against
    a floor that writes each piece as it comes."""
    import render

    deltas = 400 if b.quick else 2000
    size = 47_000 * deltas // 2000
    stream, pieces = render.reply_stream(OUT / "fixtures" / f"reply-{deltas}.sse", deltas, size)
    wall([*b.nemochat, "--api-base", b.sim.base_url, "--json", "ask", "warm up"], b.env)
    fast = render.repl_run(b, pieces, stream, 0.0001, home=Path(tempfile.mkdtemp(prefix="nemochat-bench-repl-")))
    lag = render.floor_lag(b, pieces, stream, 0.0001)
    behind = fast["max_lag_s"] - lag
    b.add(Row(f"render: REPL lag, {deltas} deltas at 10k/s", f"{fast['max_lag_s'] * 1000:.0f} ms worst", f"{lag * 1000:.0f} ms (print each piece)",
              f"+{behind * 1000:.0f} ms", "≤ +200 ms", behind <= 0.2 and lag < float("inf"), {"repl": fast, "floor_lag_s": lag}))


def words(b: Bench) -> None:
    """Word to screen: a Markdown answer streamed one word per event at 20 and
    at 50 words/s, each word's delay from the simulator writing it to its being
    on an emulated screen (pyte, fed by a real pseudo-terminal): the REPL and
    `nemochat ask` on a terminal, against a floor printing each piece as it
    comes; p95 ≤ 100 ms. At 50 words/s, the REPL's CPU less that of
    `nemochat --json ask` on the same stream (same reading, turn and ledger,
    no view): ≤ 5% of a core."""
    import render

    count = 150 if b.quick else 400
    pieces = render.word_reply(count)
    stream = render.write_stream(OUT / "fixtures" / f"words-{count}.sse", pieces)
    base = b.sim.base_url
    floor_cmd = [PY, str(BENCH / "floor.py"), "show", base]
    ask_cmd = [*b.nemochat, "--api-base", base, "ask", "go"]
    repl_cmd = [*b.nemochat, "--api-base", base]
    wall([*b.nemochat, "--api-base", base, "--json", "ask", "warm up"], b.env)
    for rate in (20, 50):
        pace = 1 / rate
        home = Path(tempfile.mkdtemp(prefix="nemochat-bench-repl-"))
        got = {"floor": render.word_delays(b, floor_cmd, pieces, stream, pace),
               "repl": render.word_delays(b, repl_cmd, pieces, stream, pace, home=home, repl=True),
               "ask": render.word_delays(b, ask_cmd, pieces, stream, pace)}
        floor = got["floor"]["p95_s"]
        for name, label in (("repl", "REPL"), ("ask", "ask on a terminal")):
            run = got[name]
            once = {True: "", False: "; DUPLICATES on screen", None: "; screen not checked"}[run["once"]]
            b.add(Row(f"word to screen, {rate} words/s: {label}", f"{run['p95_s'] * 1000:.0f} ms p95", f"{floor * 1000:.0f} ms (print each piece)",
                      f"{(run['p95_s'] - floor) * 1000:+.0f} ms", "p95 ≤ 100 ms" + once, run["p95_s"] <= 0.1 and run["once"] is not False,
                      {"runs": got, "pace_s": pace}))
        if rate == 50:
            repl = got["repl"]
            json_ask = render.ask_cpu(b, stream, pace)
            share = (repl["cpu_s"] - json_ask["cpu_s"]) / repl["stream_s"]
            b.add(Row(f"REPL CPU while streaming, {rate} words/s", f"{repl['cpu_s']:.2f} s CPU", f"{json_ask['cpu_s']:.2f} s (--json ask)",
                      f"+{share * 100:.1f}% core", "≤ +5% core", share <= 0.05, {"repl": repl, "floor": json_ask}))


def memory(b: Bench) -> None:
    """Peak RSS of a live turn of 1M events against one of 10k events."""
    small, big = 10_000, 100_000 if b.quick else 1_000_000
    peaks = {}
    for events in (small, big):
        path, meta = fixtures.fixture(events)
        after = b.arm(path)
        out = b.home / f"live-{events}.jsonl"
        with out.open("wb") as sink:
            process = subprocess.Popen([*b.nemochat, "--api-base", b.sim.base_url, "--json", "ask", "go"], env=b.env,
                                       stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.DEVNULL)
            peak = 0.0
            while process.poll() is None:  # VmHWM: ru_maxrss would count this process's memory copied at fork
                peak = max(peak, vm_hwm_mb(process.pid))
                time.sleep(0.02)
        b.run_sse_started(after)
        texts = sum(1 for line in out.open() if '"type": "text"' in line)
        if process.returncode != 0 or texts != meta["messages"]:
            raise RuntimeError(f"the {events}-event turn went wrong: exit {process.returncode}, {texts}/{meta['messages']} messages")
        peaks[events] = peak
    grew = peaks[big] - peaks[small]
    b.add(Row(f"memory: peak RSS, {big // 1000}k-event turn", f"{peaks[big]:.1f} MB", f"{peaks[small]:.1f} MB (10k events)", f"{grew:+.1f} MB",
              "< +5 MB", grew < 5.0, {"peak_mb": peaks}))


def transfers(b: Bench) -> None:
    """bench/upload_memory.py: a 100 MB upload and download against a 1 MB warm-up."""
    mb = 20 if b.quick else 100
    result = subprocess.run([PY, str(BENCH / "upload_memory.py"), "--mb", str(mb), "--json"], env=b.env, capture_output=True, text=True)
    if not result.stdout.strip():
        raise RuntimeError(f"upload_memory.py failed: {result.stderr[-800:]}")
    got = json.loads(result.stdout)
    for name in ("upload", "download"):
        before, after = got[name]["before"], got[name]["after"]
        b.add(Row(f"memory: {mb} MB {name}", f"{after:.1f} MB", f"{before:.1f} MB (1 MB first)", f"{after - before:+.1f} MB", "≤ +10 MB",
                  after - before <= 10.0, got[name]))


def polling(b: Bench) -> None:
    """bench/polling.py: requests per job over its whole life, on a virtual clock."""
    result = subprocess.run([PY, str(BENCH / "polling.py")], env=b.env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"polling.py failed: {result.stderr[-800:]}")
    got = json.loads(result.stdout)
    sora, render, many = got["sora"], got["render"], got["nanophoto"]
    b.add(Row("polling: Sora job, status requests", str(sora["status"]), f"{sora['virtual_s'] // 60} min life", f"{sora['status'] / 60:.2f} of 60",
              "≤ 60", sora["status"] <= 60, sora))
    b.add(Row("polling: render, status requests", str(render["status"]), f"{render['deadline_s'] / 60:g} min life", f"{render['status'] / 40:.2f} of 40",
              "≤ 40", render["status"] <= 40, render))
    b.add(Row("polling: NanoPhoto, busiest hour", f"{many['max_hour']} req/h", f"{many['jobs']} jobs at once, one key", f"{many['max_hour'] / 100:.2f} of 100",
              "≤ 100/h/key", many["max_hour"] <= 100, many))


def preview(b: Bench) -> None:
    """bench/preview.py: a keyframe contact sheet of a 10 s 1080p H.264 clip, in a fresh
    process (imports apart), against decoding every frame of the clip in that same process."""
    made = subprocess.run([PY, str(BENCH / "preview.py"), "make", str(OUT / "fixtures")], env=b.env, capture_output=True, text=True)
    if made.returncode != 0:
        raise RuntimeError(f"preview.py make failed: {made.stderr[-800:]}")
    clips = json.loads(made.stdout)
    rounds = 3 if b.quick else 7
    for name, label in (("gop2s", "keyframes every 2 s"), ("gop10s", "one keyframe")):
        runs = []
        for _ in range(rounds):
            timed = subprocess.run([PY, str(BENCH / "preview.py"), "time", clips[name]], env=b.env, capture_output=True, text=True)
            if timed.returncode != 0:
                raise RuntimeError(f"preview.py time failed: {timed.stderr[-800:]}")
            runs.append(json.loads(timed.stdout))
        sheet, floor = median([r["sheet_s"] for r in runs]), median([r["decode_all_s"] for r in runs])
        imports = median([r["import_s"] for r in runs])
        b.add(Row(f"preview: sheet of 10 s 1080p H.264, {label}", f"{sheet:.2f} s", f"{floor:.2f} s (decode every frame)",
                  f"{sheet / floor:.2f}x", "≤ 1 s", sheet <= 1.0, {"runs": runs, "import_s": imports}))


SECTIONS: dict[str, Callable[[Bench], None]] = {
    "startup": startup,
    "prompt": prompt,
    "streaming": streaming,
    "small_writes": streaming_small_writes,
    "one_message": one_message,
    "first_text": first_text,
    "words": words,
    "rendering": rendering,
    "memory": memory,
    "transfers": transfers,
    "polling": polling,
    "preview": preview,
}


def table(rows: list[Row]) -> str:
    head = ("figure", "nemochat", "floor", "ratio", "goal", "result")
    cells = [head] + [(r.figure, r.nemochat, r.floor, r.ratio, r.goal, "pass" if r.passed else "FAIL") for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(head))) + " |" for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="nemochat's performance, against floors measured in the same run")
    parser.add_argument("--quick", action="store_true", help="a smoke run: smaller fixtures, fewer repeats")
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")

    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    # Bytecode as an installed package has it: no run pays for compiling.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "nemochat"), str(BENCH)], check=True, stdout=subprocess.DEVNULL)
    info = machine()
    print(f"nemochat bench{' (quick)' if args.quick else ''}: {info['nproc']} cores, {info['cpu']}, Python {info['python']}", flush=True)
    b = Bench(args.quick)
    errors: dict[str, str] = {}
    try:
        for name in chosen:
            print(f"[{name}]", flush=True)
            try:
                SECTIONS[name](b)
            except Exception as exc:  # one broken section must not hide the others
                errors[name] = f"{type(exc).__name__}: {exc}"
                print(f"  error: {errors[name]}", flush=True)
    finally:
        b.close()
    took = time.perf_counter() - started
    print()
    print(table(b.rows))
    print(f"\n{sum(r.passed for r in b.rows)}/{len(b.rows)} goals met in {took:.0f} s" + (f"; sections failed: {', '.join(errors)}" if errors else ""))
    report = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick, "seconds": round(took, 1), "machine": info,
              "rows": [asdict(r) for r in b.rows], "errors": errors}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"results-{stamp}{'-quick' if args.quick else ''}.json", "latest-quick.json" if args.quick else "latest.json"):
        (OUT / name).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {OUT / name}")
    return 0 if not errors and all(r.passed for r in b.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
