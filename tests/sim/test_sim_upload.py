"""Uploads: multipart files and public URLs, validation, and the session state."""

from __future__ import annotations

from pathlib import Path

from sim_helpers import Account, Backend

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "media"


def _upload(http, account: Account, *files: tuple[str, bytes]):
    return http.post(f"/api/upload-video/nemo_agent/me/{account.session_id}", headers=account.headers,
                     files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def test_fixtures_match_the_packaged_media():
    from nemochat.sim.files import media

    assert (FIXTURES / "clip.mp4").read_bytes() == media("clip.mp4").data
    assert (FIXTURES / "still.png").read_bytes() == media("still.png").data
    assert len(media("clip.mp4").data) < 300_000  # small, yet a clip worth previewing


def test_multipart_upload_of_several_files(http, backend: Backend, account: Account, world):
    clip, still = (FIXTURES / "clip.mp4").read_bytes(), (FIXTURES / "still.png").read_bytes()
    response = _upload(http, account, ("clip.mp4", clip), ("still.png", still))
    data = response.json()["data"]
    assert data["session_state_applied"] is True
    video, image = data["files"]
    assert set(video) == {"filename", "file_type", "cdn_url", "duration", "width", "height", "fps", "hash"}
    assert (video["filename"], video["file_type"], video["duration"], video["width"], video["height"],
            video["fps"]) == ("clip.mp4", "video", 10.0, 320, 180, 24)
    assert (image["file_type"], image["width"], image["height"]) == ("image", 64, 36)
    assert [u.size for u in world.uploads] == [len(clip), len(still)]

    state = backend.state(account)
    assert [v["filename"] for v in state["video_infos"]] == ["clip.mp4", "still.png"]
    [track] = state["draft"]["t"]
    assert [(s["n"], s["st"], s["et"]) for s in track["sg"]] == [("clip.mp4", 0, 10000), ("still.png", 10000, 13000)]


def test_audio_goes_on_an_audio_track(http, backend: Backend, account: Account):
    _upload(http, account, ("voice.mp3", b"ID3..."))
    [track] = backend.state(account)["draft"]["t"]
    assert track["tt"] == 1


def test_unsupported_file_is_4001(http, backend: Backend, account: Account):
    response = _upload(http, account, ("clip.mp4", b"ok"), ("setup.exe", b"MZ"))
    body = response.json()
    assert body["code"] == 4001
    assert "setup.exe" in body["message"]
    assert "mkv" in body["data"]["supported"]
    assert backend.state(account)["draft"]["t"] == []  # nothing applied


def test_too_large_is_4002(http, account: Account, world):
    world.configure(upload_max_bytes=10)
    response = _upload(http, account, ("big.mov", b"x" * 11))
    assert (response.status_code, response.json()["code"]) == (413, 4002)


def test_no_files_is_refused(http, account: Account):
    response = http.post(f"/api/upload-video/nemo_agent/me/{account.session_id}", headers=account.headers,
                         files=[("other", ("a.mp4", b"x"))])
    assert response.status_code == 400


def test_url_upload(http, backend: Backend, account: Account):
    response = http.post(f"/api/upload-video/nemo_agent/me/{account.session_id}", headers=account.headers,
                         json={"urls": ["https://example.com/media/beach.webm"], "source_type": "url"})
    [file] = response.json()["data"]["files"]
    assert (file["filename"], file["file_type"]) == ("beach.webm", "video")
    assert backend.state(account)["video_infos"][0]["hash"] == file["hash"]


def test_url_upload_refuses_non_http(http, account: Account):
    response = http.post(f"/api/upload-video/nemo_agent/me/{account.session_id}", headers=account.headers,
                         json={"urls": ["file:///etc/passwd"], "source_type": "url"})
    assert response.json()["code"] == 4001


def test_upload_to_an_unknown_session(http, account: Account):
    response = http.post("/api/upload-video/nemo_agent/me/nope", headers=account.headers,
                         files=[("files", ("a.mp4", b"x"))])
    assert response.json()["code"] == 1002
