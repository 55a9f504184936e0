"""`--demo`: a newcomer's first export works the same from the command line
and from the chat. The demo's fresh project is empty, so both put the
simulator's sample clip on its timeline (and say so) instead of refusing.
The REPL runs in-process on the real demo runtime (its own simulator, real
HTTP); keys go in through a pipe."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from media_helpers import CLIP
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from nemochat.app.runtime import open_runtime
from nemochat.commands.common import start_demo
from nemochat.cli import main
from nemochat.app.runtime import DEMO_SAMPLE_NOTE
from nemochat.repl.background import Background
from nemochat.repl.loop import Repl
from nemochat.settings import Settings


@pytest.fixture
def demo_out(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "videos"
    folder.mkdir()
    monkeypatch.setenv("NEMOCHAT_OUTPUT_DIR", str(folder))
    return folder


def _repl_demo(monkeypatch, typed: str, *, wait_for: str):
    """Type ``typed`` into a demo REPL; return (what it printed, its jobs,
    the demo simulator's request log) once ``wait_for`` happened: "job" (a
    background job finished) or "error" (a one-line refusal)."""
    happened: list[asyncio.Event] = []

    def finished(self, job):
        Background_finished(self, job)
        happened[0].set()

    Background_finished = Background.finished
    monkeypatch.setattr(Background, "finished", finished)  # bound by the Repl when it is built

    async def scenario():
        happened.append(asyncio.Event())
        with create_pipe_input() as pipe:
            out = io.StringIO()
            settings = Settings.load(demo=True)
            repl = Repl(settings=settings, out=out, color=False, input=pipe, output=DummyOutput())
            async with open_runtime(settings, view=repl.view, start_demo=start_demo, hooks=repl.conversation_hooks()) as rt:
                repl.attach(rt)
                if wait_for == "error":
                    fail = repl.fail
                    repl.fail = lambda error: (fail(error), happened[0].set())  # type: ignore[method-assign]
                task = asyncio.create_task(repl.run())
                pipe.send_text(typed + "\r")
                await asyncio.wait_for(happened[0].wait(), 60)
                pipe.send_text("\x04")
                assert await asyncio.wait_for(task, 30) == 0
                return out.getvalue(), repl.jobs.all(), list(rt.sim.world.requests)

    return asyncio.run(scenario())


def test_the_repl_export_in_the_demo_gives_the_sample_clip(demo_out, monkeypatch):
    printed, jobs, _ = _repl_demo(monkeypatch, "/export", wait_for="job")
    [job] = jobs
    assert job.status == "done", job.error
    [video] = demo_out.glob("Demo-????????.mp4")  # the title and the render's short id
    assert video.read_bytes() == CLIP and job.result == str(video)
    assert DEMO_SAMPLE_NOTE in " ".join(printed.split())  # joined: the view wraps at 80 columns
    assert "Nothing to export" not in printed


@pytest.mark.parametrize("command", [["export"], ["ask", "export"], ["ask", "导出"]])
def test_the_one_shot_export_says_the_same(demo_out, capsys, command):
    # `ask export` goes through the conversation's export handler, which gets the demo's sample too.
    assert main(["--demo", *command]) == 0
    [video] = demo_out.glob("Demo-????????.mp4")
    assert video.read_bytes() == CLIP
    shown = capsys.readouterr()
    assert DEMO_SAMPLE_NOTE in " ".join(shown.err.split())  # a notice: chrome, on stderr
    assert shown.out.splitlines() == [f"✓ Saved {video}"]
    assert "Nothing to export" not in shown.err


def test_the_repl_refuses_a_bad_place_before_any_job(demo_out, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    printed, jobs, requests = _repl_demo(monkeypatch, f"/export {blocker}/x.mp4", wait_for="error")
    assert jobs == [] and "is a file, not a folder" in " ".join(printed.split())
    assert not [r for r in requests if r.path.startswith("/api/render/")]
    assert list(demo_out.iterdir()) == []
