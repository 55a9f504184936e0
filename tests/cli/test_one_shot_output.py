"""What a one-shot command writes where, as a script sees it: the answer on
stdout and everything about getting it on stderr; bad settings and bad
recordings as usage errors; how a failed or interrupted run ends."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sse"
CHROME = ("New session", "Open this project", "Generating video", "→ To export")  # of a first ask
THOUGHT = "Stage two is done"  # the simulator's thought in a first ask


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def session_id_of(result: subprocess.CompletedProcess) -> str:
    return next(line["session_id"] for line in json_lines(result.stdout) if line["type"] == "session")


# -- 1. chrome on stderr --------------------------------------------------------------------------


def test_ask_puts_only_the_answer_on_stdout(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert "rainy Tokyo" in result.stdout and "Urban Dreams" in result.stdout
    for chrome in CHROME:
        assert chrome not in result.stdout, chrome
        assert chrome in result.stderr, chrome
    assert "run nemochat export" in result.stderr and "run /export" not in result.stderr
    assert THOUGHT not in result.stdout + result.stderr  # thoughts: hidden unless asked for


def test_thoughts_when_asked_for_go_to_stderr_apart_from_the_answer(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url, env={"NEMOCHAT_SHOW_THOUGHTS": "1"})
    assert result.returncode == 0, result.stderr
    assert THOUGHT in result.stderr and THOUGHT not in result.stdout
    assert "💭" not in result.stderr and "**" not in result.stderr  # Markdown rendered, no marker


def test_status_and_credits_redirected_hold_only_the_data(nemochat, sim, world):
    first = nemochat("ask", "make a 10s rainy Tokyo clip", "--json", "--api-base", sim.base_url)
    session = session_id_of(first)
    # Named with --session, a resumed session also recaps its last turns: chrome too.
    status = nemochat("status", "--session", session, "--api-base", sim.base_url)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[0] == "rainy Tokyo · 10 s" and "1. Video:" in status.stdout
    assert "Resumed session" in status.stderr and "make a 10s rainy Tokyo clip" in status.stderr
    assert "Resumed" not in status.stdout and "make a 10s rainy Tokyo clip" not in status.stdout
    credits = nemochat("credits", "--api-base", sim.base_url)
    assert credits.returncode == 0, credits.stderr
    assert credits.stdout.startswith("Credits:") and len(credits.stdout.splitlines()) == 1


def test_still_working_notices_go_to_stderr(nemochat, sim, world):
    # A turn that says nothing for a second, with "still working" due after a tenth of one.
    world.set_faults(slow_heartbeats={"interval_s": 0.25, "silence_s": 1.0})
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url, env={"NEMOCHAT_STILL_WORKING_EVERY": "0.1"})
    assert result.returncode == 0, result.stderr
    assert "Still working" in result.stderr and "Still working" not in result.stdout
    assert "rainy Tokyo" in result.stdout


def test_errors_go_to_stderr_and_stdout_keeps_what_was_answered(nemochat, sim, world):
    world.set_faults(error_event={"message": "model overloaded", "after_events": 1})
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url)
    assert result.returncode == 5
    assert "model overloaded" in result.stderr and "model overloaded" not in result.stdout
    assert "Traceback" not in result.stderr


def test_json_output_is_unchanged_and_stderr_stays_quiet(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--json", "--api-base", sim.base_url)
    assert result.returncode == 0 and result.stderr == ""
    types = [line["type"] for line in json_lines(result.stdout)]
    assert types[0] == "session" and "tool" in types and "action" in types and types[-1] == "done"


# -- 2. a backend address that is not a URL -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (("--api-base", "notaurl"), {}, "flag --api-base"),
        ((), {"NEMO_API_URL": "ftp://example.com"}, "env NEMO_API_URL"),
        ((), {"NEMOCHAT_API_BASE": "http://"}, "env NEMOCHAT_API_BASE"),
        ((), {"NANOPHOTO_API_URL": "nanophoto.ai"}, "env NANOPHOTO_API_URL"),
    ],
)
def test_a_backend_that_is_not_an_http_url_is_a_usage_error(nemochat, args, env, source):
    for command in (("credits",), ("ask", "hi"), ("--json", "status")):
        result = nemochat(*command, *args, env=env)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert source in line and "must be an http(s) URL" in line


def test_a_backend_without_a_scheme_sends_nothing(nemochat, sim, world):
    # The usual slip: the simulator's address without "http://".
    result = nemochat("credits", "--api-base", sim.base_url.removeprefix("http://"))
    assert result.returncode == 2 and "must be an http(s) URL" in result.stderr
    assert world.requests == []


def test_a_config_file_backend_that_is_not_a_url_is_a_usage_error(nemochat, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('api_base = "mega-api-prod.nemovideo.ai"\n')
    result = nemochat("credits", env={"NEMOCHAT_CONFIG": str(config)})
    assert result.returncode == 2
    assert f"file {config}: api_base must be an http(s) URL" in result.stderr and "Traceback" not in result.stderr


def test_demo_ignores_the_backend_it_replaces(nemochat):
    result = nemochat("--demo", "credits", env={"NEMO_API_URL": "notaurl"})
    assert result.returncode == 0 and result.stdout.startswith("Credits:")


# -- 3. replaying a file that is not a recording --------------------------------------------------


@pytest.mark.parametrize("content", ["Notes for the demo.\nNothing else here.\n", '{"session_id": "abc", "events": []}\n', ""])
def test_replay_of_a_file_without_events_is_a_usage_error(nemochat, tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_text(content)
    result = nemochat("replay", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"✗ no server-sent events in {path}: is it a /run_sse recording?"]
    as_json = nemochat("replay", str(path), "--json")
    assert as_json.returncode == 2
    assert [(line["type"], line["code"]) for line in json_lines(as_json.stdout)] == [("error", "usage")]


@pytest.mark.parametrize("content", ['data: {}\n\ndata: {"unknown": true}\n\n', ": ping\n\n: ping\n\n", "data: [DONE]\r\rdata:\r\r"])
def test_replay_of_events_with_nothing_to_show_says_so_and_succeeds(nemochat, tmp_path, content):
    path = tmp_path / "quiet.sse"
    path.write_bytes(content.encode())
    result = nemochat("replay", str(path))
    assert result.returncode == 0 and result.stdout == ""
    assert "Nothing to show" in result.stderr and str(path) in result.stderr
    lines = json_lines(nemochat("replay", str(path), "--json").stdout)
    assert [line["type"] for line in lines] == ["notice", "done"]


def test_holds_sse_finds_a_field_cut_between_two_reads(tmp_path):
    from nemochat.commands.basic import holds_sse

    path = tmp_path / "f.sse"
    for content, expected in [(b"text\ntext\rretry: 5", True), (b"abc\r\ndata", True), (b"metadata: 1\nodata:\n", False),
                              (b"x" * 20 + b"\n:ping", True), (b"\xff\xfe binary \x00 data", False)]:
        path.write_bytes(content)
        assert [holds_sse(path, chunk=n) for n in (1, 3, 7, 1 << 20)] == [expected] * 4, content


# -- 4. how a failed --json run ends --------------------------------------------------------------


def test_replay_and_ask_end_a_failed_turn_the_same_way(nemochat, sim, world):
    replayed = nemochat("replay", str(FIXTURES / "error_mid_stream.sse"), "--json")
    world.set_faults(error_event={"message": "RESOURCE_EXHAUSTED", "after_events": 1})
    asked = nemochat("ask", "make a 10s rainy Tokyo clip", "--json", "--api-base", sim.base_url)
    for result in (replayed, asked):
        assert result.returncode == 5, result.stderr
        lines = json_lines(result.stdout)
        assert {"type": "done"} not in lines, "done means success"
        assert lines[-1]["type"] == "error" and "RESOURCE_EXHAUSTED" in f'{lines[-1]["code"]} {lines[-1]["message"]}'
        assert "{'" not in lines[-1]["message"]  # the words inside ADK's error, not its repr
        assert set(lines[-1]) == {"type", "code", "message", "action"}


def test_a_missing_recording_is_an_error_line_with_json(nemochat, tmp_path):
    result = nemochat("replay", str(tmp_path / "gone.sse"), "--json")
    assert result.returncode == 2
    assert json_lines(result.stdout) == [{"type": "error", "code": "usage", "message": f"no such file: {tmp_path / 'gone.sse'}", "action": ""}]


# -- 5. Ctrl-C during ask -------------------------------------------------------------------------


def _start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "nemochat", "ask", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_mid_answer_says_what_it_means(sim, world, tmp_path, as_json):
    # The first answer comes at once, the second ten minutes later: Ctrl-C lands in between.
    recording = tmp_path / "slow.sse"
    first = json.dumps({"type": "text", "content": "Working on your clip."})
    later = json.dumps({"type": "text", "content": "All done."})
    recording.write_text(f"data: {first}\n\ndata: {later}\n\n")
    world.set_faults(replay_stream={"path": str(recording), "pace_s": 600})
    ask = _start("make a 10s rainy Tokyo clip", "--api-base", sim.base_url, *(["--json"] if as_json else []))
    try:
        for line in ask.stdout:  # blocks until the first answer is shown
            if "Working on your clip." in line:
                break
        ask.send_signal(signal.SIGINT)
        out, err = ask.communicate(timeout=30)
    finally:
        if ask.poll() is None:
            ask.kill()
    assert ask.returncode == 130
    assert "All done." not in out and "Traceback" not in err
    meaning = "Interrupted: stopped listening; the agent may still finish this turn on the server (nothing was resent)."
    if as_json:
        [last] = json_lines(out)[-1:]
        assert last == {"type": "error", "code": "interrupted", "message": meaning, "action": "Check with `nemochat status`."}
        assert err == ""
    else:
        assert err.splitlines()[-1] == f"⏹ {meaning} Check with `nemochat status`."
        assert "Interrupted" not in out
    assert len(world.requests_to("/run_sse")) == 1, "nothing was resent"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_ctrl_c_before_the_message_went_out_says_nothing_was_sent():
    # A backend that takes the connection and never answers: nemochat waits for its token.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        ask = _start("make a 10s rainy Tokyo clip", "--api-base", f"http://127.0.0.1:{silent.getsockname()[1]}")
        try:
            connection, _ = silent.accept()  # blocks until nemochat asks for something
            with connection:
                ask.send_signal(signal.SIGINT)
                out, err = ask.communicate(timeout=30)
        finally:
            if ask.poll() is None:
                ask.kill()
    assert ask.returncode == 130 and out == ""
    assert err.splitlines() == ["⏹ Interrupted before your message was sent: nothing reached the agent."]


def test_json_ends_with_the_error_when_it_cuts_a_message_short(nemochat, tmp_path):
    event = {"content": {"parts": [{"text": "Generating your clip "}], "role": "model"}, "partial": True,
             "invocationId": "e-1", "author": "nemo_agent"}
    path = tmp_path / "cut.sse"
    path.write_text(f"data: {json.dumps(event)}\n\ndata: {json.dumps({'error': 'quota exhausted'})}\n\n", encoding="utf-8")
    result = nemochat("replay", str(path), "--json")
    lines = json_lines(result.stdout)
    assert result.returncode == 5
    assert [line["type"] for line in lines] == ["text", "error"]
    assert lines[0] == {"type": "text", "text": "Generating your clip ", "complete": False}
