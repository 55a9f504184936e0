"""`nemochat preview` and the preview after a one-shot export, as a script
sees them: no image bytes when stdout is not a terminal, the --json
`preview` line, one clear line and exit 2 for bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from nemochat.cli import main

DEMO = Path(__file__).resolve().parents[2] / "nemochat/sim/media/clip.mp4"
IMAGE_BYTES = ("\x1b_G", "\x1b]1337", "\x1bP", "▀")
KITTY = {"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1", "COLORTERM": "truecolor"}


@pytest.fixture
def nemochat(capsys, monkeypatch):
    """``nemochat(*args, cwd=, env=)``: the command in this process (stdout and stderr captured: not terminals)."""

    def call(*args: str, cwd: Path, env: dict | None = None) -> SimpleNamespace:
        monkeypatch.chdir(cwd)
        for name, value in {"NEMOCHAT_RETRY_AFTER_DEFAULT": "0", **(env or {})}.items():
            monkeypatch.setenv(name, value)
        code = main(list(args))
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return call


@pytest.fixture
def video(tmp_path) -> Path:
    target = tmp_path / "rain.mp4"
    shutil.copy(DEMO, target)
    return target


def test_to_a_pipe_only_the_line_even_in_kitty(nemochat, video, tmp_path):
    result = nemochat("preview", str(video), cwd=tmp_path, env=KITTY)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "▶ rain.mp4 · 10.0 s · 320×180 · 24 fps · h264 · 162.2 KB\n"
    assert not any(marker in result.stdout + result.stderr for marker in IMAGE_BYTES)
    assert (tmp_path / "rain.preview.png").is_file()


def test_json_prints_the_preview_line(nemochat, video, tmp_path):
    result = nemochat("preview", str(video), "--json", cwd=tmp_path, env=KITTY)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1] == {"type": "done"}
    preview = lines[0]
    assert preview["type"] == "preview" and preview["path"] == str(video)
    assert preview["sheet"] == str(tmp_path / "rain.preview.png")
    assert (preview["duration_s"], preview["width"], preview["height"]) == (10.0, 320, 180)
    assert [round(f["t"], 1) for f in preview["frames"]] == [0.9, 2.0, 4.0, 6.0, 8.0, 9.2]


@pytest.mark.parametrize("args, words", [
    ((), "needs a FILE or --last"),
    (("--last",), "No video to preview"),
    (("no-such.mp4",), "cannot read"),
    (("notes.txt",), "is not a video"),
])
def test_bad_input_is_one_line_and_exit_2(nemochat, tmp_path, args, words):
    (tmp_path / "notes.txt").write_text("hello\n" * 50)
    result = nemochat("preview", *args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert words in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("command", [["export", "-o", "out.mp4"], ["ask", "export"]])
def test_a_demo_export_ends_with_its_preview_and_preview_last_finds_it(nemochat, tmp_path, command):
    env = {"NEMOCHAT_SIM_TIME_SCALE": "0", "NEMOCHAT_POLL_INTERVAL": "0.05"}
    exported = nemochat("--demo", "--json", *command, cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    kinds = [line["type"] for line in lines]
    assert kinds[-3:] == ["export", "preview", "done"]
    saved = lines[-3]["path"]
    assert lines[-2]["path"] == saved and Path(saved).parent == tmp_path and Path(saved).is_file()
    again = nemochat("preview", "--last", "--json", cwd=tmp_path)
    assert json.loads(again.stdout.splitlines()[0])["path"] == saved


def test_preview_off_keeps_the_export_quiet(nemochat, tmp_path):
    env = {"NEMOCHAT_SIM_TIME_SCALE": "0", "NEMOCHAT_POLL_INTERVAL": "0.05", "NEMOCHAT_PREVIEW": "off"}
    exported = nemochat("--demo", "--json", "export", "-o", "out.mp4", cwd=tmp_path, env=env)
    assert exported.returncode == 0 and '"preview"' not in exported.stdout
    assert not (tmp_path / "out.preview.png").exists()


def test_a_bad_preview_setting_is_a_usage_error(nemochat, tmp_path, video):
    result = nemochat("preview", str(video), cwd=tmp_path, env={"NEMOCHAT_PREVIEW": "pictures"})
    assert result.returncode == 2 and "preview" in result.stderr and "Traceback" not in result.stderr
