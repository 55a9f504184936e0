"""The rest of the output rule, as a script sees it (the real program in a
subprocess, stdout and stderr pipes): export, upload and open put their
result on stdout and the rest on stderr; a file or a pipe gets no padding;
a turn that broke off offers nothing after its error; NemoVideo out of
reach is tried again (with no waits here) before the one error line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CLIP_TEXT = "make a 10s rainy Tokyo clip"


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.fixture
def videos(tmp_path: Path) -> Path:
    folder = tmp_path / "videos"
    folder.mkdir()
    return folder


def test_export_writes_only_the_saved_path_on_stdout(nemochat, sim, world, videos):
    env = {"NEMOCHAT_OUTPUT_DIR": str(videos), "NEMOCHAT_EXPORT_FIRST_POLL": "0", "NEMOCHAT_EXPORT_MAX_POLL": "0"}
    assert nemochat("ask", CLIP_TEXT, "--api-base", sim.base_url, env=env).returncode == 0
    result = nemochat("export", "--api-base", sim.base_url, env=env)
    assert result.returncode == 0, result.stderr
    [video] = videos.glob("*.mp4")
    assert result.stdout == f"✓ Saved {video}\n"  # one line however long the path: a script reads it
    for chrome in ("Resumed session", "Rendering", "Downloading", "Play it with"):
        assert chrome in result.stderr, chrome
    opened = nemochat("open", env=env)  # no display: the path is the answer
    assert opened.returncode == 0 and opened.stdout == f"{video}\n" and opened.stderr == ""


def test_export_errors_go_to_stderr_only(nemochat, sim, world):
    result = nemochat("export", "--api-base", sim.base_url)  # a new session: nothing on its timeline
    assert result.returncode == 2 and result.stdout == ""
    assert "✗ Nothing to export yet" in result.stderr and "Traceback" not in result.stderr


def test_upload_writes_the_files_on_stdout_and_its_chrome_on_stderr(nemochat, sim, world):
    result = nemochat("upload", "https://example.com/waves.mp4", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert "waves.mp4" in result.stdout and "Added to your project" in result.stdout
    assert "New session" in result.stderr and "New session" not in result.stdout
    missing = nemochat("upload", "/no/such/clip.mp4", "--api-base", sim.base_url)
    assert missing.returncode == 2 and missing.stdout == "" and "clip.mp4" in missing.stderr


# -- no padding to a file or a pipe ---------------------------------------------------------------


def test_a_redirected_answer_has_no_trailing_blanks_and_no_hard_wraps(nemochat, sim, world):
    # To a file or a pipe the answer is its Markdown source, written as it streams: a paragraph
    # is one line however wide the terminal is (COLUMNS=100 here), and no line is padded.
    result = nemochat("ask", CLIP_TEXT, "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 3 and "rainy Tokyo" in result.stdout
    assert [line for line in lines if line != line.rstrip()] == []
    assert max(map(len, lines)) > 100, "a paragraph is one line, not wrapped at the width"
    assert "nemochat export" in result.stdout and "click" not in result.stdout.lower(), "GUI talk is rewritten as it streams"
    assert result.stdout.count("Here's your 10-second clip of rainy Tokyo") == 1, "each message once"


def test_a_terminal_keeps_the_padding():
    import io

    from nemochat.ui.consoles import PipeConsole
    from nemochat.ui.markdown_render import markdown

    for terminal, expected in ((True, "a short answer".ljust(40)), (False, "a short answer")):
        out = io.StringIO()
        PipeConsole(file=out, width=40, force_terminal=terminal, color_system=None).print(markdown("a short answer"))
        assert out.getvalue() == expected + "\n", terminal


# -- a turn that broke off offers nothing after its error -----------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_a_failed_turn_offers_no_action_after_its_error(nemochat, sim, world, as_json):
    # The whole scripted answer (its last message offers `nemochat status` and `nemochat export`), then the error.
    world.set_faults(error_event={"message": "model overloaded", "after_events": 10_000})
    result = nemochat("ask", CLIP_TEXT, "--api-base", sim.base_url, *(["--json"] if as_json else []))
    assert result.returncode == 5
    if as_json:
        lines = json_lines(result.stdout)
        assert "`nemochat export`" in " ".join(line["text"] for line in lines if line["type"] == "text"), "the offer was in the text"
        assert [line["type"] for line in lines if line["type"] in ("action", "error", "done")] == ["error"]
        assert lines[-1]["type"] == "error" and "model overloaded" in lines[-1]["message"]
    else:
        assert "export" in result.stdout
        assert "→ To" not in result.stderr and "run nemochat" not in result.stdout + result.stderr
        shown = result.stderr.splitlines()
        at = next(n for n, line in enumerate(shown) if line.startswith("✗"))
        assert "model overloaded" in shown[at]
        assert all(line.startswith("  ") for line in shown[at + 1 :]), "only the error's own advice follows it"


def test_yes_runs_no_offer_of_a_failed_turn(nemochat, sim, world, tmp_path):
    world.set_faults(error_event={"message": "model overloaded", "after_events": 10_000})
    result = nemochat("ask", CLIP_TEXT, "--yes", "--api-base", sim.base_url, env={"NEMOCHAT_OUTPUT_DIR": str(tmp_path)})
    assert result.returncode == 5
    assert not [r for r in world.requests if r.path.startswith("/api/render/")], "no export was started"
    assert list(tmp_path.glob("*.mp4")) == []


def test_a_successful_turn_still_offers_them(nemochat, sim, world):
    result = nemochat("ask", CLIP_TEXT, "--json", "--api-base", sim.base_url)
    assert [line["kind"] for line in json_lines(result.stdout) if line["type"] == "action"] == ["status", "export"]


# -- NemoVideo out of reach: retried, without the waits in these tests ---------------------------


def test_a_safe_request_is_tried_again_before_the_error(nemochat, sim, world):
    world.set_faults(drop_connection={"path": "/api/credits", "times": None})  # every try reset before any answer
    result = nemochat("credits", "--api-base", sim.base_url)
    assert result.returncode == 5 and result.stdout == ""
    assert len(world.requests_to("/api/credits")) == 4, "the first try and connect_retries (3) more"
    retries = [line for line in result.stderr.splitlines() if line.startswith("NemoVideo unreachable")]
    assert len(retries) == 3 and "Traceback" not in result.stderr


def test_a_request_that_gets_through_on_a_retry_succeeds(nemochat, sim, world):
    world.set_faults(drop_connection={"path": "/api/credits", "times": 2})
    result = nemochat("credits", "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Credits:") and len(world.requests_to("/api/credits")) == 3
