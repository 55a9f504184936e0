"""Uploads against the simulator: checked before any request, streamed as
multipart, answered as a table, and visible in the session state after."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from media_helpers import CLIP, run, runtime

from nemochat.app.upload import plan_upload, upload_items
from nemochat.core.ui_events import StateShown, TransferProgress, UploadDone
from nemochat.errors import UsageError
from nemochat.sim.files import media


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "my clip.mp4"
    path.write_bytes(CLIP)
    return path


@pytest.fixture
def still(tmp_path: Path) -> Path:
    path = tmp_path / "still.PNG"
    path.write_bytes(media("still.png").data)
    return path


def _upload(sim, out, items):
    async def scenario():
        async with runtime(sim, out) as rt:
            return await upload_items(rt.conversation, items), rt.view

    return run(scenario())


def test_files_and_urls_in_one_go(sim, out, world, clip, still):
    result, view = _upload(sim, out, [str(clip), str(still), "https://example.com/waves.mp4"])
    names = [f.filename for f in result.files]
    assert names == ["my clip.mp4", "still.PNG", "waves.mp4"]
    first = result.files[0]
    assert (first.file_type, first.duration, first.width, first.height) == ("video", 10.0, 320, 180)
    assert result.applied
    # The bytes arrived whole: the server hashed what it received.
    assert world.uploads[0].hash == hashlib.sha256(CLIP).hexdigest()
    posts = world.requests_to("/api/upload-video/nemo_agent/me/")
    assert len(posts) == 2 and posts[0].headers["content-type"].startswith("multipart/form-data")
    assert posts[1].json == {"urls": ["https://example.com/waves.mp4"], "source_type": "url"}
    # Shown: the table, then the state the backend now has.
    assert view.of(UploadDone) == [UploadDone(result.files, True)]
    kinds = [type(e).__name__ for e in view.events if isinstance(e, (UploadDone, StateShown))]
    assert kinds == ["UploadDone", "StateShown"]
    timeline = view.of(StateShown)[0].timeline
    assert timeline.exportable and "my clip.mp4" in timeline.summary()


def test_upload_progress_reaches_the_whole_size(sim, out, world, clip):
    _, view = _upload(sim, out, [str(clip)])
    bars = [e for e in view.of(TransferProgress) if e.task == "upload"]
    assert bars[-1].finished and bars[-1].done == len(CLIP) == bars[-1].total


def test_bad_inputs_are_all_named_and_nothing_is_sent(sim, out, world, tmp_path, clip):
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ")
    items = [str(clip), str(exe), str(tmp_path / "missing.mp4"), str(tmp_path), "ftp://example.com/a.mp4"]
    with pytest.raises(UsageError) as caught:
        _upload(sim, out, items)
    message = caught.value.message
    for part in ("setup.exe: not a supported format", "missing.mp4: no such file", "not a file", "only http(s)"):
        assert part in message
    assert "mp4 mov avi webm mkv" in caught.value.action
    assert world.requests_to("/api/upload-video/") == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "locked.mp4"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(UsageError, match="not readable"):
        plan_upload([str(path)])


def test_file_urls_and_home_paths_are_local_files(tmp_path, monkeypatch, clip):
    monkeypatch.setenv("HOME", str(tmp_path))
    plan = plan_upload([clip.as_uri(), "~/my clip.mp4", "https://example.com/a.png"])
    assert plan.files == (clip,) and plan.urls == ("https://example.com/a.png",)


@pytest.mark.parametrize(
    ("code", "words"),
    [(4001, "Supported formats: video mp4"), (4002, "Compress or trim")],
)
def test_4001_and_4002_say_what_to_do(sim, out, world, clip, code, words):
    world.set_faults(error_code={"code": code})
    with pytest.raises(UsageError) as caught:
        _upload(sim, out, [str(clip)])
    assert caught.value.code == str(code) and words in caught.value.action
    assert caught.value.exit_code == 2


def test_a_retried_upload_sends_the_whole_file_again(sim, out, world, clip):
    async def scenario():
        async with runtime(sim, out) as rt:
            world.set_faults(error_code={"code": 1001})  # the token dies: NemoClient renews it and asks again
            return await upload_items(rt.conversation, [str(clip)])

    result = run(scenario())
    assert [f.filename for f in result.files] == ["my clip.mp4"]
    assert len(world.requests_to("/api/upload-video/")) == 2
    assert world.uploads[0].hash == hashlib.sha256(CLIP).hexdigest() and world.uploads[0].size == len(CLIP)


@pytest.mark.parametrize("change", ["grows", "shrinks"])
def test_a_file_that_changes_while_it_uploads_is_one_clear_error_and_nothing_is_kept(sim, out, world, tmp_path, change):
    from nemochat.clients.media import MediaClient

    path = tmp_path / "growing.mp4"
    path.write_bytes(b"\0" * 300_000)  # several 64 KiB reads

    def changed_once(done, total):
        if 0 < done < total and path.stat().st_size == 300_000:  # after the first read: another program writes
            if change == "grows":
                with path.open("ab") as handle:
                    handle.write(b"\1" * 1000)
            else:
                os.truncate(path, 100_000)

    async def scenario():
        async with runtime(sim, out) as rt:
            media_client = MediaClient(rt.conversation.nemo)
            return await rt.conversation.session_call(lambda sid: media_client.upload_files(sid, [path], changed_once))

    with pytest.raises(UsageError, match="growing.mp4 changed while it was uploading") as caught:
        run(scenario())
    assert caught.value.exit_code == 2
    assert world.uploads == []  # the server took no copy, whole or cut
