"""The zygote (tests/pty_zygote.py) starts a program as a spawned process
would be started: the same argv, environment, working directory, terminal
(size, session, foreground group), standard streams, signal handlers, open
files and locale; the same answer to a window change, typed lines, exit
codes and signals. A probe script (tests/zygote_probe.py) reports what it
sees, once spawned by pexpect and once forked from the zygote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

PROBE = str(Path(__file__).with_name("zygote_probe.py"))
ARGS = ["two words", "ünïcode"]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8", "TERM": "xterm-256color",
            "PYTHONUNBUFFERED": "1", "COLUMNS": "100", "LINES": "30", "SOME_SETTING": "x y"}


def report(child, event: str) -> dict:
    child.expect('{"event": "' + event + r'".*\}\r\n')
    return json.loads(child.after)


def both(zygotes, env, tmp_path):
    spawned = pexpect.spawn(sys.executable, [PROBE, *ARGS], env=env, cwd=str(tmp_path), dimensions=(30, 100), encoding="utf-8", timeout=30)
    forked = zygotes.spawn(PROBE, ARGS, env=env, cwd=str(tmp_path), dimensions=(30, 100), encoding="utf-8", timeout=30)
    return spawned, forked


def test_a_forked_program_starts_as_a_spawned_one(zygotes, env, tmp_path):
    spawned, forked = both(zygotes, env, tmp_path)
    seen = [report(child, "start") for child in (spawned, forked)]
    assert seen[0]["argv"] == [PROBE, *ARGS] and seen[0]["size"] == [100, 30] and seen[0]["streams"]["stdout"]["isatty"]
    assert seen[1] == seen[0]


def test_window_changes_lines_exit_codes_and_signals_are_the_same(zygotes, env, tmp_path):
    spawned, forked = both(zygotes, env, tmp_path)
    for child in (spawned, forked):
        report(child, "start")
        child.setwinsize(40, 120)
        assert report(child, "winch")["size"] == [120, 40]
        child.send("hello\r")
        assert report(child, "line")["text"] == "hello"
        child.send("exit 3\r")
        child.expect(pexpect.EOF)
        child.wait()
    assert spawned.exitstatus == forked.exitstatus == 3

    spawned, forked = both(zygotes, env, tmp_path)
    for child in (spawned, forked):
        report(child, "start")
        child.kill(signal.SIGINT)  # Python's default: KeyboardInterrupt, then it dies of SIGINT
        child.expect(pexpect.EOF)
        child.wait()
    assert spawned.signalstatus == forked.signalstatus == signal.SIGINT
    assert "KeyboardInterrupt" in spawned.before and "KeyboardInterrupt" in forked.before


def test_with_pipes_it_starts_as_subprocess_run_starts_it(zygotes, env, tmp_path):
    ran = subprocess.run([sys.executable, PROBE, *ARGS], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    forked = zygotes.run(PROBE, ARGS, env=env, cwd=str(tmp_path), timeout=30)
    assert (forked.returncode, forked.stderr) == (ran.returncode, ran.stderr) == (0, "")
    seen = [json.loads(out) for out in (ran.stdout, forked.stdout)]
    assert seen[0]["streams"]["stdout"]["isatty"] is False and seen[0]["argv"] == [PROBE, *ARGS]
    assert seen[1] == seen[0]


def test_with_input_or_as_popen_it_runs_as_subprocess_does(zygotes, env, tmp_path):
    ran = subprocess.run([sys.executable, PROBE, *ARGS], env=env, cwd=tmp_path, input="hello\nexit 4\n", capture_output=True, text=True, timeout=30)
    forked = zygotes.run(PROBE, ARGS, env=env, cwd=str(tmp_path), input="hello\nexit 4\n", timeout=30)
    assert (forked.returncode, forked.stderr) == (ran.returncode, ran.stderr) == (4, "")
    seen = [[json.loads(line) for line in out.splitlines()] for out in (ran.stdout, forked.stdout)]
    assert [event["event"] for event in seen[0]] == ["start", "line"] and seen[0][1]["text"] == "hello"
    assert seen[1] == seen[0]

    popen = subprocess.Popen([sys.executable, PROBE, *ARGS], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    forked_popen = zygotes.popen(PROBE, ARGS, env=env, cwd=str(tmp_path))
    outputs = [process.communicate(timeout=30) for process in (popen, forked_popen)]
    assert popen.returncode == forked_popen.returncode == 0 and outputs[0][1] == outputs[1][1] == ""
    assert json.loads(outputs[1][0]) == json.loads(outputs[0][0])
