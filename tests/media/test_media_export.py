"""The export flow end to end against the simulator: submit, poll through
progress, download the bytes the simulator rendered, and every way it can go
wrong (shapes, drops, broken URLs, failures, deadlines, Ctrl-C)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from media_helpers import CLIP, put_clip, run, runtime

from nemochat.app.export import (
    CANCEL_QUESTION,
    ExportOptions,
    RenderFailed,
    RenderTimedOut,
    export_video,
    last_export,
)
from nemochat.core.ui_events import ExportDone, TransferProgress
from nemochat.errors import CreditsError, Interrupted, UsageError
from nemochat.settings import Paths
from nemochat.store import ledger_path


def _export(sim, out, world, options=None, *, title="Urban Dreams", setup=None, **flags):
    async def scenario():
        async with runtime(sim, out, **flags) as rt:
            put_clip(world, rt, title)
            if setup:
                setup()
            result = await export_video(rt.conversation, options or ExportOptions())
            return result, rt.view

    return run(scenario())


def test_export_polls_through_progress_and_downloads_the_rendered_bytes(sim, out, world):
    async def scenario():
        async with runtime(sim, out) as rt:
            await rt.conversation.handle("make a 10s rainy Tokyo clip")  # the agent builds the draft
            return await export_video(rt.conversation), rt.view

    result, view = run(scenario())
    assert result.status == "completed" and result.render_id.startswith("render_")
    assert open(result.path, "rb").read() == CLIP
    render_bars = [e.done for e in view.of(TransferProgress) if e.task.startswith("render:") and not e.finished]
    assert render_bars == [0, 34, 68, 100]
    assert view.of(ExportDone) == [ExportDone(result.render_id, "completed", result.url, result.path)]
    submit = world.requests_to("/api/render/proxy/lambda")[0]
    assert submit.json["sessionId"] and "session_id" not in submit.json
    assert submit.json["output"] == {"format": "mp4", "quality": "high"}
    assert submit.json["draft"]["t"], "the session's draft is what gets rendered"
    assert len(world.requests_to(f"/api/render/proxy/lambda/{result.render_id}")) == 3


@pytest.mark.parametrize("shape", [1, 2, 3])
def test_every_status_shape_ends_in_the_same_file(sim, out, world, shape):
    world.set_faults(render_status_shape=shape)
    result, _ = _export(sim, out, world)
    assert open(result.path, "rb").read() == CLIP
    assert result.url and result.url.endswith(f"/cdn/renders/{result.render_id}.mp4")


def test_the_file_is_named_after_the_title_and_render(sim, out, world):
    result, _ = _export(sim, out, world, title="Urban Dreams")
    short = result.render_id.removeprefix("render_")[:8]  # "render_7bd1ad9f-b806-…": its first 8 characters
    assert result.path == str(out / f"Urban-Dreams-{short}.mp4")
    assert [p.name for p in out.iterdir()] == [f"Urban-Dreams-{short}.mp4"], "no .part left behind"


def test_a_download_dropped_halfway_resumes_to_the_same_bytes(sim, out, world):
    result, view = _export(sim, out, world, setup=lambda: world.set_faults(download_drop_once=True))
    assert open(result.path, "rb").read() == CLIP
    cdn = world.requests_to("/cdn/renders/")
    assert [r.headers.get("range") for r in cdn] == [None, f"bytes={len(CLIP) // 2}-"]
    assert cdn[1].headers.get("if-range"), "the resume is conditional on the same file"
    assert any("resuming" in getattr(e, "message", "") for e in view.events)


def test_the_cdn_never_sees_the_bearer_token(sim, out, world):
    _export(sim, out, world, setup=lambda: world.set_faults(download_drop_once=True))
    cdn = world.requests_to("/cdn/")
    assert cdn and not any(r.has_auth for r in cdn)
    assert all(r.has_auth for r in world.requests_to("/api/render/"))


def test_a_broken_output_url_falls_back_to_the_proxy_download(sim, out, world):
    result, view = _export(sim, out, world, setup=lambda: world.set_faults(render_output_url_broken=True))
    assert open(result.path, "rb").read() == CLIP
    proxy = world.requests_to(f"/api/render/proxy/{result.render_id}/download")
    assert len(proxy) == 1 and proxy[0].has_auth
    assert any("NemoVideo's download link" in getattr(e, "message", "") for e in view.events)


def test_an_existing_file_is_never_overwritten(sim, out, world):
    mine = out / "final.mp4"
    mine.write_bytes(b"my own video")
    result, _ = _export(sim, out, world, ExportOptions(output=str(mine)))
    assert mine.read_bytes() == b"my own video"
    assert result.path == str(out / "final (2).mp4") and open(result.path, "rb").read() == CLIP


def test_force_replaces_the_file(sim, out, world):
    mine = out / "final.mp4"
    mine.write_bytes(b"old")
    result, _ = _export(sim, out, world, ExportOptions(output=str(mine), force=True))
    assert result.path == str(mine) and mine.read_bytes() == CLIP


def test_a_hostile_title_stays_inside_the_folder(sim, out, world, tmp_path):
    result, _ = _export(sim, out, world, title="../../evil.mp4")
    assert Path(result.path).resolve().parent == out.resolve()
    assert Path(result.path).name == f"evil.mp4-{result.render_id.removeprefix('render_')[:8]}.mp4"
    assert not (tmp_path.parent / "evil.mp4").exists() and not (tmp_path / "evil.mp4").exists()


def test_an_empty_draft_is_refused_before_any_render(sim, out, world):
    async def scenario():
        async with runtime(sim, out) as rt:
            await export_video(rt.conversation)

    with pytest.raises(UsageError, match="Nothing to export") as caught:
        run(scenario())
    assert caught.value.exit_code == 2
    assert world.requests_to("/api/render/") == []


def test_a_failed_render_says_why(sim, out, world):
    with pytest.raises(RenderFailed, match="render worker crashed") as caught:
        _export(sim, out, world, setup=lambda: world.set_faults(render_fail=True))
    assert caught.value.exit_code == 5
    assert list(out.iterdir()) == []


def test_402_is_a_plan_problem(sim, out, world):
    with pytest.raises(CreditsError) as caught:
        _export(sim, out, world, setup=lambda: world.set_faults(http_402_render=True))
    assert caught.value.exit_code == 4 and "register at nemovideo.ai" in caught.value.action


def test_a_duplicate_render_id_gets_a_new_id_and_one_retry(sim, out, world):
    async def scenario():
        async with runtime(sim, out) as rt:
            put_clip(world, rt)
            from nemochat.clients.media import MediaClient

            media = MediaClient(rt.nemo)
            session = rt.conversation.session.session_id
            draft = (await rt.nemo.state(session))["state"]["draft"]
            await media.submit_render(session, draft, new_id=lambda: "render_taken")
            ids = iter(["render_taken", "render_fresh"])
            return await media.submit_render(session, draft, new_id=lambda: next(ids))

    status = run(scenario())
    assert status.id == "render_fresh" and status.status == "pending"
    assert [r.json["id"] for r in world.requests_to("/api/render/proxy/lambda")] == ["render_taken", "render_taken", "render_fresh"]


def test_retry_after_is_honoured_and_429_polls_again(sim, out, world):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def scenario():
        async with runtime(sim, out) as rt:
            put_clip(world, rt)
            world.set_faults(render_retry_after={"seconds": 7}, http_429={"retry_after": 3, "path": "/api/render/proxy/lambda/"})
            return await export_video(rt.conversation, sleep=sleep), rt.view

    result, view = run(scenario())
    assert open(result.path, "rb").read() == CLIP
    assert 3 in waits and 7 in waits
    assert any("asking again" in getattr(e, "message", "") for e in view.events)


def test_the_deadline_stops_waiting_and_says_how_to_resume(sim, out, world):
    with pytest.raises(RenderTimedOut) as caught:
        _export(sim, out, world, export_deadline=0.0)
    render_id = world.requests_to("/api/render/proxy/lambda")[0].json["id"]
    assert f"nemochat export --render-id {render_id}" in caught.value.action
    assert caught.value.exit_code == 5

    async def resume():
        async with runtime(sim, out) as rt:
            return await export_video(rt.conversation, ExportOptions(render_id=render_id))

    result = run(resume())
    assert result.render_id == render_id and open(result.path, "rb").read() == CLIP
    [job] = _render_jobs()  # the resume found the job it belongs to
    assert job.status == "completed" and job.local_files == (result.path,)


def _interrupted_export(sim, out, world, answer: bool):
    """Start an export, cancel its task mid-render (what Ctrl-C does under
    asyncio.run), and answer the question with ``answer``."""
    asked: list[str] = []

    async def confirm(question: str) -> bool:
        asked.append(question)
        return answer

    async def scenario():
        async with runtime(sim, out) as rt:
            put_clip(world, rt)
            rendering = asyncio.Event()
            polls = 0

            async def sleep(seconds: float) -> None:
                nonlocal polls
                polls += 1
                if polls == 2:  # one status answer in: the render is processing
                    rendering.set()
                    await asyncio.Event().wait()  # wait here until cancelled

            task = asyncio.create_task(export_video(rt.conversation, confirm_cancel=confirm, sleep=sleep))
            await rendering.wait()
            task.cancel()
            with pytest.raises(Interrupted) as caught:
                await task
            return caught.value

    error = run(scenario())
    render_id = world.requests_to("/api/render/proxy/lambda")[0].json["id"]
    return error, asked, render_id


def test_ctrl_c_during_a_render_asks_then_cancels_it_on_the_server(sim, out, world):
    error, asked, render_id = _interrupted_export(sim, out, world, answer=True)
    assert asked == [CANCEL_QUESTION]
    assert world.render(render_id).status == "cancelled"
    assert len(world.requests_to(f"/api/render/proxy/lambda/{render_id}/cancel")) == 1
    assert error.exit_code == 130 and "cancelled" in error.message


def test_ctrl_c_answered_no_leaves_the_render_running(sim, out, world):
    error, asked, render_id = _interrupted_export(sim, out, world, answer=False)
    assert asked == [CANCEL_QUESTION]
    assert world.render(render_id).status == "processing"
    assert world.requests_to(f"/api/render/proxy/lambda/{render_id}/cancel") == []
    assert f"--render-id {render_id}" in error.action


def _render_jobs():
    from nemochat.store import Ledger, ledger_path

    with Ledger(ledger_path(Paths.default())) as ledger:
        return ledger.jobs(kind="render")


def test_the_export_is_a_render_job_in_the_ledger(sim, out, world):
    result, _ = _export(sim, out, world)
    [job] = _render_jobs()
    assert job.task_ids == result.render_id and job.status == "completed"
    assert job.local_files == (result.path,) and job.urls == (result.url,)
    assert last_export(ledger_path(Paths.default())) == (result.path, result.url)


def test_a_failed_render_is_written_down_as_failed(sim, out, world):
    with pytest.raises(RenderFailed):
        _export(sim, out, world, setup=lambda: world.set_faults(render_fail={"reason": "no GPU"}))
    [job] = _render_jobs()
    assert (job.status, job.error, job.local_files) == ("failed", "no GPU", ())


def test_a_cancelled_render_is_written_down_as_cancelled(sim, out, world):
    _, _, render_id = _interrupted_export(sim, out, world, answer=True)
    [job] = _render_jobs()
    assert (job.task_ids, job.status) == (render_id, "cancelled")
