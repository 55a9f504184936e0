"""The commands as a user runs them (in-process `nemochat.cli.main`): exit
codes, the `--json` lines of the contract, the chat intents, `open`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from media_helpers import CLIP, run, runtime

from nemochat.core.gui import GuiAction
from nemochat.core.ui_events import ExportDone
from nemochat.errors import UsageError


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def _with_a_video(cli) -> None:
    code, _, _ = cli("ask", "make a 10s rainy Tokyo clip")
    assert code == 0


def test_an_exe_is_refused_with_exit_2_before_any_request(cli, world, tmp_path):
    exe = tmp_path / "game.exe"
    exe.write_bytes(b"MZ")
    code, out, err = cli("upload", str(exe))
    assert code == 2 and "game.exe: not a supported format" in err and out == ""
    assert world.requests == []


def test_export_json_lines(cli, world, out):
    _with_a_video(cli)
    code, stdout, _ = cli("--json", "export")
    lines = _lines(stdout)
    assert code == 0 and lines[-1] == {"type": "done"}
    export = next(line for line in lines if line["type"] == "export")
    assert set(export) == {"type", "render_id", "status", "url", "path"}
    assert export["status"] == "completed" and Path(export["path"]).read_bytes() == CLIP
    assert Path(export["path"]).parent == out


def test_upload_json_lines(cli, tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(CLIP)
    code, stdout, _ = cli("upload", str(clip), "https://example.com/b.png", "--json")
    lines = _lines(stdout)
    upload = next(line for line in lines if line["type"] == "upload")
    assert code == 0 and [f["filename"] for f in upload["files"]] == ["a.mp4", "b.png"]
    assert {"filename", "file_type", "cdn_url"} <= set(upload["files"][0])
    assert any(line["type"] == "state" for line in lines), "the new tracks are shown"


def test_402_exits_4_with_the_plan_message(cli, world):
    _with_a_video(cli)
    world.set_faults(http_402_render=True)
    code, stdout, stderr = cli("export")
    assert code == 4 and "register at nemovideo.ai to unlock export" in stderr and stdout == ""


def test_a_failed_render_exits_5_with_the_reason(cli, world):
    _with_a_video(cli)
    world.set_faults(render_fail={"reason": "codec exploded"})
    code, stdout, stderr = cli("export")
    assert code == 5 and "codec exploded" in stderr and stdout == ""


def test_nothing_to_export_exits_2(cli, world):
    code, stdout, stderr = cli("export")
    assert code == 2 and "Nothing to export" in stderr and stdout == ""


def test_rich_output_reads_well(cli, out):
    _with_a_video(cli)
    code, stdout, stderr = cli("export", "-o", str(out / "mine"))
    assert code == 0
    assert (out / "mine.mp4").read_bytes() == CLIP
    # The saved file is the answer (stdout); the session line, progress and hints are chrome (stderr).
    assert stdout.splitlines() == [f"✓ Saved {out / 'mine.mp4'}"]
    assert "Rendering: 100%" in stderr and "Downloading" in stderr and "nemochat open" in stderr
    assert "Saved" not in stderr


@pytest.mark.parametrize("words", ["export", "导出", "download the video"])
def test_ask_export_runs_the_export(cli, out, words):
    _with_a_video(cli)
    code, _, _ = cli("ask", words)
    assert code == 0 and [p.read_bytes() for p in out.glob("*.mp4")] == [CLIP]


def test_ask_with_a_dropped_file_uploads_it(cli, world, tmp_path):
    clip = tmp_path / "dropped clip.mp4"
    clip.write_bytes(CLIP)
    code, stdout, _ = cli("ask", f"'{clip}'")
    assert code == 0 and "dropped clip.mp4" in stdout
    assert [u.filename for u in world.uploads] == ["dropped clip.mp4"]


def test_the_gui_export_button_runs_the_export(sim, out, world):
    async def scenario():
        async with runtime(sim, out) as rt:
            await rt.conversation.handle("make a 10s rainy Tokyo clip")
            await rt.conversation.run_action(GuiAction("export", "/export", "Export button"))
            return rt.view

    view = run(scenario())
    [done] = view.of(ExportDone)
    assert Path(done.path).read_bytes() == CLIP


def test_the_upload_intent_without_paths_asks_for_them(sim, out, world):
    async def scenario():
        async with runtime(sim, out) as rt:
            await rt.conversation.handle("upload")

    with pytest.raises(UsageError, match="Nothing to upload"):
        run(scenario())
    assert world.requests_to("/api/upload-video/") == []


def test_open_prints_the_last_export_without_a_display(cli, out):
    code, stdout, stderr = cli("open")
    assert code == 2 and stdout == "" and "Nothing exported yet" in stderr
    _with_a_video(cli)
    cli("export")
    code, stdout, _ = cli("open")
    [path] = list(out.glob("*.mp4"))
    assert code == 0 and stdout.strip() == str(path)


def test_open_uses_the_system_opener_with_a_display(cli, out, monkeypatch):
    from nemochat.app import opener

    opened: list[str] = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(opener, "system_open", lambda target: opened.append(target) or True)
    _with_a_video(cli)
    cli("export")
    code, stdout, stderr = cli("open")
    assert code == 0 and opened == [str(next(out.glob("*.mp4")))] and "Opened" in stderr and stdout == ""
