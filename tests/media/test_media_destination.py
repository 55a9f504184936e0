"""Bad input to `nemochat export` is refused before anything is spent: a
place the file can never be saved (checked before the render starts), and a
--render-id the server does not know (no job left in the ledger)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from media_helpers import CLIP, put_clip, run, runtime

from nemochat.app.destination import check_destination
from nemochat.app.export import ExportOptions, RenderTimedOut, export_video
from nemochat.errors import UsageError
from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path

RENDER = "/api/render/proxy/lambda"


def _with_a_video(cli) -> None:
    code, _, _ = cli("ask", "make a 10s rainy Tokyo clip")
    assert code == 0


def _error_line(stdout: str) -> dict:
    [error] = [line for line in map(json.loads, stdout.splitlines()) if line["type"] == "error"]
    return error


def _jobs() -> list:
    path = ledger_path(Paths.default())
    if not path.is_file():
        return []
    with Ledger(path) as ledger:
        return ledger.jobs()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)  # the rich view wraps long lines


# -- where the file goes: checked before the render -----------------------------------


@pytest.mark.parametrize("where", ["a-file/x.mp4", "a-file/", "a-file/deeper/x.mp4"])
def test_a_file_where_a_folder_must_be_is_refused_before_the_render(cli, world, tmp_path, where):
    (tmp_path / "a-file").write_bytes(b"not a folder")
    _with_a_video(cli)
    code, stdout, stderr = cli("--json", "export", "-o", f"{tmp_path}/{where}")  # the slash kept: "a folder"
    error = _error_line(stdout)
    assert code == 2 and error["code"] == "bad_destination" and error["action"] == ""
    assert f"{tmp_path / 'a-file'} is a file, not a folder" in error["message"] and "\n" not in error["message"]
    assert world.requests_to(RENDER) == [], "no render was requested"
    assert "Traceback" not in stderr
    assert (tmp_path / "a-file").read_bytes() == b"not a folder"


def test_the_rich_view_says_it_in_one_message(cli, world, tmp_path):
    (tmp_path / "a-file").write_bytes(b"")
    _with_a_video(cli)
    code, stdout, stderr = cli("export", "-o", str(tmp_path / "a-file" / "x.mp4"))
    shown = _flat(stdout + stderr)
    assert code == 2 and "is a file, not a folder; choose another place with -o PATH." in shown
    assert "Traceback" not in shown and "Rendering" not in shown
    assert world.requests_to(RENDER) == []


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_a_folder_without_write_permission_is_refused_before_the_render(cli, world, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        _with_a_video(cli)
        code, stdout, _ = cli("--json", "export", "-o", str(locked) + "/")
    finally:
        locked.chmod(0o700)
    assert code == 2 and "is not writable" in _error_line(stdout)["message"]
    assert world.requests_to(RENDER) == [] and list(locked.iterdir()) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc (unwritable even for root)")
def test_an_unwritable_folder_is_refused_even_for_root(cli, world):
    _with_a_video(cli)
    code, stdout, _ = cli("--json", "export", "-o", "/proc/self/")
    assert code == 2 and "is not writable" in _error_line(stdout)["message"]
    assert world.requests_to(RENDER) == []


def test_an_output_dir_setting_that_is_a_file_is_named(cli, world, tmp_path, monkeypatch):
    blocker = tmp_path / "videos"
    blocker.write_bytes(b"")
    _with_a_video(cli)
    monkeypatch.setenv("NEMOCHAT_OUTPUT_DIR", str(blocker))  # after the fixture's own
    code, stdout, _ = cli("--json", "export")
    message = _error_line(stdout)["message"]
    assert code == 2 and "NEMOCHAT_OUTPUT_DIR" in message and str(blocker) in message
    assert world.requests_to(RENDER) == []


def test_a_name_too_long_for_the_file_system_is_refused(cli, world, tmp_path):
    _with_a_video(cli)
    code, stdout, _ = cli("--json", "export", "-o", str(tmp_path / ("v" * 300)))
    assert code == 2 and "too long" in _error_line(stdout)["message"]
    assert world.requests_to(RENDER) == []


def test_a_missing_folder_is_created_when_the_file_arrives(cli, world, tmp_path):
    _with_a_video(cli)
    target = tmp_path / "new" / "deeper" / "mine.mp4"
    code, _, _ = cli("export", "-o", str(target))
    assert code == 0 and target.read_bytes() == CLIP


def test_the_check_leaves_nothing_behind(tmp_path):
    check_destination(str(tmp_path / "not" / "yet" / "x.mp4"), ".")
    check_destination(None, str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # no folder made, no probe file left
    with pytest.raises(UsageError):
        (tmp_path / "f").write_bytes(b"")
        check_destination(str(tmp_path / "f" / "x.mp4"), ".")
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


# -- --render-id: an id the server does not know --------------------------------------


def test_an_unknown_render_id_is_a_usage_error_and_leaves_no_job(cli, world):
    code, stdout, stderr = cli("--json", "export", "--render-id", "render_typo")
    error = _error_line(stdout)
    assert code == 2 and error["code"] == "render_not_found" and error["action"] == ""
    assert "render_typo" in error["message"] and "\n" not in error["message"]
    assert _jobs() == [], "nothing was written to the ledger"
    assert len(world.requests_to(f"{RENDER}/render_typo")) == 1
    assert world.requests_to(RENDER + "/render_typo/cancel") == [] and "Traceback" not in stderr
    code, stdout, _ = cli("jobs", "--open")
    assert code == 0 and "render_typo" not in stdout


def test_an_unknown_render_id_shows_no_progress_bar(cli, world):
    code, stdout, stderr = cli("export", "--render-id", "render_typo")
    shown = _flat(stdout + stderr)
    assert code == 2 and "NemoVideo knows no render render_typo" in shown
    assert "Rendering" not in shown


def test_no_answer_first_then_unknown_is_still_a_usage_error(cli, world):
    world.set_faults(http_429={"retry_after": 0, "path": f"{RENDER}/render_typo", "times": 1})
    code, stdout, _ = cli("--json", "export", "--render-id", "render_typo")
    assert code == 2 and _error_line(stdout)["code"] == "render_not_found"
    assert len(world.requests_to(f"{RENDER}/render_typo")) == 2  # asked again after the 429
    assert _jobs() == []


def test_a_real_render_unknown_to_this_ledger_is_adopted(sim, out, world):
    """A render submitted elsewhere (another machine, a deleted ledger) is still
    fetched by id, and written down once the server has answered for it."""

    async def submit_then_forget():
        async with runtime(sim, out, export_deadline=0.0) as rt:
            put_clip(world, rt)
            with pytest.raises(RenderTimedOut):
                await export_video(rt.conversation)
            rt.ledger._conn.execute("DELETE FROM job_tasks")
            rt.ledger._conn.execute("DELETE FROM jobs")

    run(submit_then_forget())
    render_id = world.requests_to(RENDER)[0].json["id"]
    assert _jobs() == []

    async def resume():
        async with runtime(sim, out) as rt:
            return await export_video(rt.conversation, ExportOptions(render_id=render_id))

    result = run(resume())
    assert Path(result.path).read_bytes() == CLIP
    [job] = _jobs()
    assert job.task_ids == render_id and job.status == "completed" and job.params.get("attached")
