"""``nemochat sessions``, ``log`` and ``jobs``: the ledger read back for people and scripts."""

from __future__ import annotations

import asyncio
import json

import pytest
from store_helpers import Clock

from nemochat.app.runtime import demo_paths
from nemochat.cli import main
from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path

API = "https://mega-api-prod.nemovideo.ai"  # the default backend: no --api-base needed


@pytest.fixture
def filled(isolated_home):
    """Two sessions on the default backend and one elsewhere, written as turns would be."""
    with Ledger(ledger_path(Paths.default()), clock=Clock(step=60)) as ledger:
        ledger.touch_session(API, "aaaa1111-old", task_id="t-old")
        turn = ledger.open_turn("aaaa1111-old", "hello")
        ledger.add_item(turn, "text", "Hi! I'm your NemoVideo agent.")
        ledger.finish_turn(turn, silent=False)

        ledger.touch_session(API, "bbbb2222-new", task_id="t-new")
        first = ledger.open_turn("bbbb2222-new", "make a 10s rainy Tokyo clip", credits_before=100)
        ledger.add_item(first, "tool", "generate_video_with_seedance")
        ledger.add_item(first, "text", "Here's your clip of **rainy Tokyo**.\n\nNext: music.")
        ledger.add_item(first, "thought", "remind them to export")
        ledger.set_turn_credits(first, after=90)
        ledger.finish_turn(first, silent=False)
        silent = ledger.open_turn("bbbb2222-new", 'add the title "Neon"')
        ledger.add_item(silent, "tool", "edit_multitrack")
        ledger.finish_turn(silent, silent=True)
        ledger.set_turn_changes(silent, ["3. Title: Neon (0-3s)"])
        failed = ledger.open_turn("bbbb2222-new", "make it longer")
        ledger.add_item(failed, "text", "Working on \x1b]0;evil title\x07it", complete=False)
        ledger.set_turn_error(failed, "2001", "Not enough credits for this.")
        ledger.open_turn("bbbb2222-new", "are you there?")  # killed: never finished
        job = ledger.add_job("render", {"id": "render_1"}, session_id="bbbb2222-new")
        ledger.set_job_task(job, "render_1")
        ledger.update_job(job, status="completed", url="https://cdn.example/render_1.mp4", local_file="/home/me/urban.mp4")
        ledger.add_job("sora2", {"prompt": "a cat"}, api_key_hint="WXYZ")

        ledger.touch_session("http://other.example", "cccc3333-elsewhere")
    return ledger.path


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sessions_newest_first_with_title_when_turns_and_last_video(capsys, filled):
    code, out, _ = run(capsys, "sessions")
    assert code == 0
    lines = out.splitlines()
    assert "cccc3333-elsewhere" in lines[1] and "http://other.example" in lines[1]  # used last
    new = next(i for i, line in enumerate(lines) if "make a 10s rainy Tokyo clip" in line)
    assert "4 turns" in lines[new] and "▶ /home/me/urban.mp4" in lines[new]
    assert "bbbb2222-new" in lines[new + 1]
    assert out.index("bbbb2222-new") < out.index("aaaa1111-old")


def test_sessions_as_json(capsys, filled):
    code, out, _ = run(capsys, "sessions", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1] == {"type": "done"}
    assert [s["session_id"] for s in lines[:-1]] == ["cccc3333-elsewhere", "bbbb2222-new", "aaaa1111-old"]
    assert lines[1]["turns"] == 4 and lines[1]["last_video"] == "/home/me/urban.mp4" and lines[1]["task_id"] == "t-new"


def test_no_sessions_yet(capsys, isolated_home):
    code, out, _ = run(capsys, "sessions")
    assert code == 0 and "No sessions yet" in out
    code, out, _ = run(capsys, "log")
    assert code == 0 and "No sessions yet" in out


def test_log_shows_this_backends_last_session_readably(capsys, filled):
    code, out, _ = run(capsys, "log")
    assert code == 0
    assert "session bbbb2222-new" in out
    assert "you: make a 10s rainy Tokyo clip" in out
    assert "· Generating video" in out and "generate_video_with_seedance" not in out  # people read labels
    assert "agent: Here's your clip of **rainy Tokyo**." in out
    assert "Changed without a word: 3. Title: Neon (0-3s)" in out
    assert "✗ Error (2001): Not enough credits for this." in out and "(cut off)" in out
    assert "Credits: 100 → 90" in out
    assert "(unfinished: nothing more was received)" in out
    assert "remind them" not in out  # thoughts only with --thoughts
    assert "\x1b" not in out and "\x07" not in out  # server text is sanitized
    code, out, _ = run(capsys, "log", "--thoughts", "--last", "4")
    assert "remind them to export" in out and "you: hello" not in out


def test_log_last_says_how_many_turns_there_are(capsys, filled):
    code, out, _ = run(capsys, "log", "--last", "2")
    assert "· 4 turns (the last 2 shown)" in out.splitlines()[2]
    code, out, _ = run(capsys, "log", "--last", "2", "--markdown")
    assert "- **Turns:** 4 (the last 2 shown)" in out
    assert "\n## 3. You · " in out and "\n## 4. You · " in out and "\n## 1. You" not in out


def test_log_of_a_chosen_session(capsys, filled):
    code, out, _ = run(capsys, "log", "--session", "aaaa")
    assert code == 0 and "you: hello" in out and "rainy Tokyo" not in out
    code, out, err = run(capsys, "--session", "nope", "log")
    assert code == 2 and "no session 'nope'" in err


def test_log_as_markdown_reads_well(capsys, filled):
    code, out, _ = run(capsys, "log", "--markdown")
    assert code == 0
    assert out.startswith("# make a 10s rainy Tokyo clip\n\n- **Session:** `bbbb2222-new`\n")
    assert "- **Last video:** /home/me/urban.mp4" in out
    assert "\n## 1. You · " in out and "\n## 4. You · " in out
    assert "\n> make a 10s rainy Tokyo clip\n\n_Generating video_\n\nHere's your clip of **rainy Tokyo**.\n\nNext: music.\n" in out
    assert "\n> add the title \"Neon\"\n\n_Editing timeline_\n\n_Changed without a word: 3. Title: Neon (0-3s)_\n" in out
    assert "_(the answer was cut off here)_" in out and "_✗ Error (2001): Not enough credits for this._" in out
    assert "\x1b" not in out


def test_log_as_json(capsys, filled):
    code, out, _ = run(capsys, "log", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["type"] for line in lines] == ["session", "turn", "turn", "turn", "turn", "done"]
    first, silent, failed, open_turn = lines[1:5]
    assert first["messages"] == ["Here's your clip of **rainy Tokyo**.\n\nNext: music."]
    assert first["tools"] == ["generate_video_with_seedance"] and first["credits_after"] == 90
    assert silent["silent"] is True and silent["changes"] == ["3. Title: Neon (0-3s)"]
    assert failed["error"] == {"code": "2001", "message": "Not enough credits for this."}
    assert open_turn["ended"] is None


def test_jobs_newest_first_and_filtered(capsys, filled):
    code, out, _ = run(capsys, "jobs")
    assert code == 0
    assert out.index("sora2") < out.index("render")
    assert "completed" in out and "render_1" in out and "https://cdn.example/render_1.mp4" in out and "/home/me/urban.mp4" in out
    code, out, _ = run(capsys, "jobs", "--open", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(j["kind"], j["status"]) for j in lines[:-1]] == [("sora2", "created")]
    code, out, _ = run(capsys, "jobs", "--kind", "render")
    assert "sora2" not in out
    code, out, _ = run(capsys, "jobs", "--kind", "sora3")
    assert code == 2


def test_no_sessions_yet_points_to_the_demos(capsys, isolated_home):
    with Ledger(ledger_path(demo_paths(Paths.default()))) as demo:
        demo.touch_session("demo", "dddd-demo")
    code, out, _ = run(capsys, "sessions")
    assert code == 0 and out == "No sessions yet with NemoVideo; the demo has 1: nemochat --demo sessions\n"
    code, out, _ = run(capsys, "--lang", "zh", "sessions")
    assert out == "还没有 NemoVideo 会话;演示里有 1 个:nemochat --demo sessions\n"


def test_the_demo_keeps_its_own_ledger(capsys, filled):
    with Ledger(ledger_path(demo_paths(Paths.default()))) as demo:
        demo.touch_session("http://127.0.0.1:9", "dddd-demo")
    code, out, _ = run(capsys, "--demo", "sessions")
    assert "dddd-demo" in out and "bbbb2222-new" not in out


def test_a_live_session_logs_as_markdown(capsys, runtime):
    async def body():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            await rt.conversation.handle("make a 10s rainy Tokyo clip")
            await rt.conversation.handle('add the title "Neon Nights"')
            return rt.settings.api_base

    api_base = asyncio.run(body())
    code, out, _ = run(capsys, "--api-base", api_base, "log", "--markdown")
    assert code == 0
    assert out.startswith("# make a 10s rainy Tokyo clip\n")
    assert "_Generating video · Composing music · Editing timeline_" in out
    assert "Here's your 10-second clip of rainy Tokyo" in out and "All set:" in out
    assert "## 2. You · " in out and "Neon Nights" in out and "_Changed without a word: " in out
