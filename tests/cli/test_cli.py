"""The command-line contract, driven as a script would drive it: the real
program in a subprocess, talking HTTP to the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pty_zygote import NEMOCHAT

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sse"


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_version_is_printed_without_importing_the_heavy_libraries():
    code = "import sys; from nemochat.cli import main; main(['--version']); print(sorted(m for m in ('httpx', 'rich', 'prompt_toolkit') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["nemochat 0.1.0", "[]"]


def test_json_ask_streams_contract_lines_and_ends_with_done(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--json", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    types = [line["type"] for line in lines]
    assert types[0] == "session" and types[-1] == "done"
    texts = [line["text"] for line in lines if line["type"] == "text"]
    assert len(texts) == 2 and "rainy Tokyo" in texts[0]
    assert {"name": "generate_video_with_seedance", "phase": "call"}.items() <= next(line for line in lines if line["type"] == "tool").items()
    assert all("click" not in t.lower() for t in texts)


def test_global_options_work_before_and_after_the_command(nemochat, sim, world):
    before = nemochat("--json", "--api-base", sim.base_url, "credits")
    after = nemochat("credits", "--json", "--api-base", sim.base_url)
    for result in (before, after):
        assert result.returncode == 0, result.stderr
        credits = [line for line in json_lines(result.stdout) if line["type"] == "credits"]
        assert credits and set(credits[0]) == {"type", "available", "frozen", "total"}


def test_ask_routes_chinese_credits_without_the_agent(nemochat, sim, world):
    result = nemochat("ask", "积分", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert "Credits:" in result.stdout and "available" in result.stdout
    assert world.requests_to("/run_sse") == []


def test_status_shows_one_line_per_track(nemochat, sim, world):
    assert nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url).returncode == 0
    result = nemochat("status", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert "1. Video:" in result.stdout and "Title: Urban Dreams" in result.stdout
    state = [line for line in json_lines(nemochat("status", "--json", "--api-base", sim.base_url).stdout) if line["type"] == "state"][0]
    assert [t["type"] for t in state["tracks"]] == ["video", "audio", "text"]


def test_ask_reads_text_from_stdin(nemochat, sim, world):
    result = nemochat("ask", "-", "--api-base", sim.base_url, input="balance\n")
    assert result.returncode == 0 and "Credits:" in result.stdout


def test_no_credits_exits_4_with_the_registration_link(nemochat, sim, world):
    world.set_faults(error_code={"code": 2001})
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--json", "--api-base", sim.base_url)
    assert result.returncode == 4
    error = [line for line in json_lines(result.stdout) if line["type"] == "error"][0]
    assert error["code"] == "2001" and "register?bind=anon_" in error["action"]


def test_an_unreachable_backend_exits_5_with_one_line_and_no_traceback(nemochat):
    result = nemochat("credits", "--api-base", "http://127.0.0.1:9")
    assert result.returncode == 5
    assert "Traceback" not in result.stderr + result.stdout
    assert "could not connect" in result.stdout + result.stderr


def test_bad_usage_exits_2(nemochat):
    assert nemochat("no-such-command").returncode == 2
    assert nemochat("ask").returncode == 2
    missing = nemochat("replay", "/no/such/file.sse")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_tokens_never_appear_in_output_even_with_debug(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--debug", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert "nmv_usr_" not in result.stdout + result.stderr
    assert "Bearer" not in result.stdout + result.stderr


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.sse")))
def test_replay_renders_every_fixture_as_a_live_turn(nemochat, fixture):
    expected = json.loads((FIXTURES / fixture).with_suffix(".json").read_text())
    result = nemochat("replay", str(FIXTURES / fixture), "--json")
    assert result.returncode == (5 if expected["errors"] else 0), result.stderr
    lines = json_lines(result.stdout)
    texts = [line["text"] for line in lines if line["type"] == "text"]
    assert len(texts) == len(expected["texts"])
    assert (lines[-1] == {"type": "done"}) == (result.returncode == 0), "done ends a successful run only"
    assert "Traceback" not in result.stderr


def test_server_text_cannot_drive_the_terminal(nemochat, tmp_path):
    hostile = "Hi \x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202eevil\u202c [bold red]not markup[/] \x9b2J"
    recording = tmp_path / "hostile.sse"
    recording.write_text("data: " + json.dumps({"type": "text", "content": hostile}) + "\n\n", encoding="utf-8")
    for args in (("replay", str(recording)), ("replay", str(recording), "--json")):
        result = nemochat(*args)
        assert result.returncode == 0, result.stderr
        out = result.stdout + result.stderr
        for bad in ("\x1b", "\x9b", "\u202e", "\x07"):
            assert bad not in out and (bad.encode("unicode_escape").decode() not in out or "--json" not in args)
    human = nemochat("replay", str(recording)).stdout
    assert "[bold red]not markup[/]" in human


def test_a_token_refused_again_after_renewal_is_an_auth_failure(nemochat, sim, world):
    world.set_faults(error_code={"code": 1001, "times": None})
    result = nemochat("credits", "--json", "--api-base", sim.base_url)
    assert result.returncode == 3
    error = [line for line in json_lines(result.stdout) if line["type"] == "error"][0]
    assert error["code"] == "1001" and error["action"]
    assert len(world.requests_to("/api/auth/anonymous-token")) == 2, "one renewal, not a loop"


def test_a_reader_that_leaves_early_is_not_an_error(isolated_home, zygotes):
    # `nemochat replay big.sse | head -1`: the ~200 KB answer overflows the pipe, then the pipe closes under us.
    big = FIXTURES / "adk_large_event.sse"
    # (its own process, forked from the zygote: tests/pty_zygote.py)
    script = zygotes.popen(NEMOCHAT, ["replay", str(big)], env=dict(os.environ), cwd=os.getcwd(), text=False)
    script.stdout.readline()
    script.stdout.close()
    assert script.wait(timeout=30) == 0
    errors = script.stderr.read()
    assert b"Traceback" not in errors and b"unexpected" not in errors and b"Exception ignored" not in errors


def test_export_refuses_an_unknown_format_before_any_request(nemochat, sim, world):
    result = nemochat("export", "--format", "webm", "--api-base", sim.base_url)
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert world.requests == []


def test_one_shot_offers_name_the_command_line_form(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url)
    # An offer is a hint, not the answer: it goes to stderr with the rest of the chrome.
    assert "run nemochat export" in result.stderr and "run /export" not in result.stderr
    assert "run nemochat" not in result.stdout


def test_ask_sends_piped_text_with_the_words(nemochat, sim, world):
    notes = "A lighthouse keeper.\nA storm at night.\n"
    result = nemochat("ask", "turn this into a 30 s script", "--api-base", sim.base_url, input=notes)
    assert result.returncode == 0, result.stderr
    [run] = world.requests_to("/run_sse")
    assert run.json["new_message"]["parts"][0]["text"] == "A lighthouse keeper.\nA storm at night.\n\nturn this into a 30 s script"


def test_ask_with_only_piped_text(nemochat, sim, world):
    result = nemochat("ask", "--api-base", sim.base_url, input="hello there\n")
    assert result.returncode == 0, result.stderr
    assert [r.json["new_message"]["parts"][0]["text"] for r in world.requests_to("/run_sse")] == ["hello there"]


def test_ask_with_nothing_to_say_is_one_line_and_exit_2(nemochat, sim):
    result = nemochat("ask", "--api-base", sim.base_url)  # stdin: /dev/null, never waited on
    assert result.returncode == 2 and "nothing to say" in result.stderr and "Traceback" not in result.stderr


def test_replay_takes_several_recordings_each_under_its_name(nemochat):
    """`nemochat replay fixtures/sse/adk/*.sse` was a usage error (one FILE only)."""
    adk = sorted((FIXTURES / "adk").glob("*.sse"))
    result = nemochat("replay", *map(str, adk))
    assert result.returncode == 5, result.stderr  # (two of them end in an agent error: the worst code)
    for path in adk:
        assert f"── {path.name}\n" in result.stderr
    assert "→ music_director" in result.stderr and "I'll compose an upbeat track." in result.stdout
    missing = nemochat("replay", str(adk[0]), "nothere.sse")
    assert missing.returncode == 2 and "no such file: nothere.sse" in missing.stderr and missing.stdout == ""
