"""Drive the real ``nemochat`` binary in a pseudo-terminal.

Each test gets a simulator of its own (in this process, so the test can read
its request log and arm faults) and a ``Term``: the REPL in a 100x30 pty,
driven with pexpect, with HOME and the XDG dirs in tmp_path. It is started by
forking a process that has imported nemochat (tests/pty_zygote.py; the same
start as a spawned process, tests/test_pty_zygote.py checks), not a fresh
interpreter importing it all again for every test. Everything
the program writes is also fed to a terminal emulator (pyte), so a test can
check what a person would SEE (the screen plus its scrollback), not just the
bytes: a live area redrawn in place shows up many times in the bytes but
once on the screen.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pyte
import pytest

from nemochat.sim import RunningSimulator, start_simulator
from pty_zygote import ZygoteChild, Zygotes

COLUMNS, LINES = 100, 30
TIMEOUT = 30  # generous: we wait on text, never on time
NEMOCHAT = str(Path(sys.executable).with_name("nemochat"))


# A string sequence (DCS: sixel; APC: kitty graphics; PM; SOS) up to its
# terminator (ST), or to the end of what came so far (the rest comes in the
# next chunk); also an escape that ends a chunk (it may start one).
_STRING_SEQUENCE = re.compile(r"\x1b[P_^X].*?(\x1b\\|\Z)|\x1b\Z", re.DOTALL)


class _Sink:
    """pexpect's logfile_read: every decoded chunk also goes to the emulator.

    A terminal draws no text for a string sequence (an image, or nothing);
    pyte would draw its payload as characters, one at a time (seconds for a
    picture), so the emulator is fed the text around them. ``raw`` keeps all."""

    def __init__(self, stream: pyte.Stream) -> None:
        self.stream = stream
        self.raw: list[str] = []
        self._unfinished = ""  # a string sequence not terminated yet

    def write(self, data: str) -> None:
        self.raw.append(data)
        data, self._unfinished = self._unfinished + data, ""
        shown, end = [], 0
        for match in _STRING_SEQUENCE.finditer(data):
            shown.append(data[end : match.start()])
            end = match.end()
            if not match.group(1):  # (unfinished: the last match)
                self._unfinished = data[match.start() :]
        shown.append(data[end:])
        self.stream.feed("".join(shown))

    def flush(self) -> None:
        pass


class _AnsweringScreen(pyte.HistoryScreen):
    """A screen that answers the program's cursor position requests (CPR), as
    a real terminal does (prompt_toolkit asks after every print above the prompt)."""

    answer: Callable[[str], object] = staticmethod(lambda data: None)

    def write_process_input(self, data: str) -> None:
        if re.fullmatch(r"\x1b\[\d+;\d+R", data):  # only the cursor report (not pyte's device attributes)
            self.answer(data)


class Term:
    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, columns: int = COLUMNS,
                 spawn: Callable[..., pexpect.spawnbase.SpawnBase] = pexpect.spawn) -> None:
        """``spawn``: pexpect's, or a zygote's (the same program, started by forking: see pty_zygote.py)."""
        self.columns = columns
        self.screen = _AnsweringScreen(columns, LINES, history=10_000, ratio=0.5)
        self.sink = _Sink(pyte.Stream(self.screen))
        self.child = spawn(
            NEMOCHAT, args, env=env, cwd=str(cwd), dimensions=(LINES, columns), encoding="utf-8", timeout=TIMEOUT
        )
        self.child.logfile_read = self.sink
        if "PROMPT_TOOLKIT_NO_CPR" not in env:
            self.screen.answer = self.child.send

    # -- input ------------------------------------------------------------------------

    def type(self, text: str) -> None:
        self.child.send(text)

    def line(self, text: str) -> None:
        """Type a line and press Enter (a terminal sends CR for Enter)."""
        self.child.send(text)
        self.child.send("\r")

    def paste(self, text: str) -> None:
        self.child.send("\x1b[200~" + text + "\x1b[201~")

    # -- output -------------------------------------------------------------------------

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> str:
        """Wait until ``pattern`` (a regex) has been written; returns the match."""
        self.child.expect(pattern, timeout=timeout)
        return self.child.after

    def wait_idle_prompt(self) -> None:
        """Wait for the prompt to be ready for a new line: ask for /jobs and
        wait for its answer (a marker that lands after everything queued)."""
        self.line("/help jobs")
        self.expect(r"background jobs \(exports, videos\)")

    def until(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        """Read what the program writes (and answer its requests) until
        ``condition()`` holds on the screen; no key is pressed meanwhile."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the screen never got there:\n" + "\n".join(self.screen.display))
            try:
                self.child.read_nonblocking(65536, timeout=0.2)
            except pexpect.TIMEOUT:
                pass

    def bottom(self) -> str:
        """The terminal's last row (where the toolbar lives)."""
        return self.screen.display[-1].rstrip()

    def lines(self) -> list[str]:
        """Everything on the screen and in its scrollback, top to bottom."""
        history = ["".join(row[x].data for x in range(self.columns)) for row in self.screen.history.top]
        return [line.rstrip() for line in history + list(self.screen.display)]

    def text(self) -> str:
        """The screen and scrollback as one string, wrapped lines joined."""
        return re.sub(r"\s+", " ", " ".join(self.lines()))

    def count(self, phrase: str) -> int:
        return self.text().count(phrase)

    def exit_status(self) -> int:
        """Wait for the program to end (its output read to the end); how it exited."""
        self.child.expect(pexpect.EOF)
        self.child.wait()
        return self.child.exitstatus

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        if isinstance(self.child, ZygoteChild):  # (pexpect.spawn closes its end when collected)
            self.child.close()


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    with start_simulator(time_scale=0.05) as running:
        yield running


class RequestLog:
    """The simulator's request log, and a way to wait for it: each request
    the simulator records wakes whoever waits (the server runs in a thread)."""

    def __init__(self, sim: RunningSimulator) -> None:
        self.world = sim.world
        self._arrived = threading.Condition()
        self._record = sim.world.record

    def record(self, request) -> None:  # stands in for SimWorld.record: records, then says so
        self._record(request)
        with self._arrived:
            self._arrived.notify_all()

    def wait_for(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
        """True once ``condition()`` holds (checked now and after each request); False after ``timeout``."""
        with self._arrived:
            return self._arrived.wait_for(condition, timeout)


@pytest.fixture
def requests(sim: RunningSimulator, monkeypatch: pytest.MonkeyPatch) -> RequestLog:
    log = RequestLog(sim)
    monkeypatch.setattr(sim.world, "record", log.record)
    return log


@pytest.fixture
def term_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "PROMPT_TOOLKIT_NO_CPR": "1",
        # pyte answers no device-attributes question: don't ask (a key typed while asking would be read as no answer)
        "NEMOCHAT_PREVIEW_QUERY_TIMEOUT": "0",
        "NEMOCHAT_SIM_TIME_SCALE": "0.05",
        "NEMOCHAT_RETRY_AFTER_DEFAULT": "0",
        # an export's status polls come quickly (not after 2, 3, 4.5 s); a test
        # that needs a render to stay running sets --poll-interval, or holds it in the simulator
        "NEMOCHAT_EXPORT_FIRST_POLL": "0.05",
        # the interpreter's own variables as this process has them, so the
        # zygote is the one the other tests' programs come from (one warm-up)
        **{k: v for k, v in os.environ.items() if k.startswith("PYTHON")},
        "PYTHONUNBUFFERED": "1",
    }
    (tmp_path / "work").mkdir()
    return env


@pytest.fixture
def spawn(tmp_path: Path, term_env: dict[str, str], zygotes: Zygotes) -> Iterator:
    terms: list[Term] = []

    def start(*args: str, env: dict[str, str] | None = None, columns: int = COLUMNS, cpr: bool = False) -> Term:
        """``cpr``: a terminal that answers cursor position requests (as real ones do)."""
        environ = {**term_env, **(env or {})}
        if cpr:
            environ.pop("PROMPT_TOOLKIT_NO_CPR")
        if columns != COLUMNS:
            environ["COLUMNS"] = str(columns)
        term = Term(list(args), environ, tmp_path / "work", columns, spawn=zygotes.spawn)
        terms.append(term)
        return term

    yield start
    for term in terms:
        term.close()


@pytest.fixture
def repl(spawn, sim: RunningSimulator) -> Term:
    """The REPL against this test's simulator, connected and ready."""
    term = spawn("--api-base", sim.base_url)
    term.expect(r"Ready")
    return term
