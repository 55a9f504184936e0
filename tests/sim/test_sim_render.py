"""Export: render creation, status shapes, cancel, and downloading the file."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sim_helpers import Account, Backend

from nemochat.sim.files import media

CLIP = media("clip.mp4").data


@pytest.fixture
def draft(backend: Backend, account: Account) -> dict[str, Any]:
    backend.events(account, "make a 10s rainy Tokyo clip")
    return backend.state(account)["draft"]


def _create(http, account: Account, draft, render_id="render_1", headers=None):
    return http.post("/api/render/proxy/lambda", headers=headers or account.headers,
                     json={"id": render_id, "sessionId": account.session_id, "draft": draft,
                           "output": {"format": "mp4", "quality": "high"}})


def _poll(http, account: Account, render_id="render_1") -> dict[str, Any]:
    return http.get(f"/api/render/proxy/lambda/{render_id}", headers=account.headers).json()


def test_create_render(http, account: Account, draft, world):
    response = _create(http, account, draft)
    assert response.json() == {"success": True, "data": {"id": "render_1", "status": "pending", "progress": 0}}
    assert world.render("render_1").draft == draft


def test_shape_1_progression(http, account: Account, draft, sim):
    _create(http, account, draft)
    polls = [_poll(http, account) for _ in range(4)]
    assert [(p["data"]["status"], p["data"]["progress"]) for p in polls] == [
        ("processing", 34), ("processing", 68), ("completed", 100), ("completed", 100)]
    assert "outputUrl" not in polls[0]["data"]
    assert polls[2]["data"]["outputUrl"] == f"{sim.base_url}/cdn/renders/render_1.mp4"
    assert all(p["success"] is True for p in polls)


def test_shape_2(http, account: Account, draft, world, sim):
    world.set_faults(render_status_shape=2)
    _create(http, account, draft)
    first = _poll(http, account)
    assert first == {"status": "processing", "progress": 34}
    _poll(http, account)
    assert _poll(http, account) == {"status": "completed", "progress": 100,
                                    "output": {"url": f"{sim.base_url}/cdn/renders/render_1.mp4"}}


def test_shape_3(http, account: Account, draft, world):
    world.set_faults(render_status_shape=3)
    world.configure(render_progress_per_poll=100)
    _create(http, account, draft)
    done = _poll(http, account)
    assert (done["taskId"], done["status"], done["progress"]) == ("render_1", "completed", 100)
    assert done["output"]["duration"] == 10.0
    assert done["output"]["size"] == len(CLIP)


def test_duplicate_render_id(http, account: Account, draft):
    _create(http, account, draft)
    again = _create(http, account, draft)
    assert again.status_code == 409
    assert again.json() == {"success": False, "code": 409, "message": "duplicate render id"}


def test_empty_draft_is_refused(http, account: Account):
    response = _create(http, account, {"t": [{"tt": 0, "sg": []}], "d": 0, "m": {}})
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_missing_attribution_is_402(http, account: Account, draft):
    response = _create(http, account, draft, headers={"Authorization": f"Bearer {account.token}"})
    assert response.status_code == 402
    assert response.json()["success"] is False


def test_402_fault(http, account: Account, draft, world):
    world.set_faults(http_402_render=True)
    assert _create(http, account, draft).status_code == 402
    assert _create(http, account, draft).status_code == 200


def test_render_fail(http, account: Account, draft, world):
    world.set_faults(render_fail={"reason": "GPU on fire"})
    _create(http, account, draft)
    _poll(http, account)
    failed = _poll(http, account)["data"]
    assert (failed["status"], failed["error"]) == ("failed", "GPU on fire")
    assert "outputUrl" not in failed


def test_cancel(http, account: Account, draft):
    _create(http, account, draft)
    cancelled = http.post("/api/render/proxy/lambda/render_1/cancel", headers=account.headers)
    assert cancelled.json() == {"success": True, "data": {"id": "render_1", "status": "cancelled"}}
    assert _poll(http, account)["data"]["status"] == "cancelled"
    assert http.post("/api/render/proxy/lambda/render_1/cancel", headers=account.headers).status_code == 409


def test_someone_elses_render_is_not_found(http, backend: Backend, account: Account, draft):
    _create(http, account, draft)
    assert _poll(http, backend.account(), "render_1") == {
        "success": False, "code": 404, "message": "render not found"}


def test_retry_after_hint(http, account: Account, draft, world):
    world.set_faults(render_retry_after={"seconds": 9})
    _create(http, account, draft)
    hinted = http.get("/api/render/proxy/lambda/render_1", headers=account.headers)
    assert hinted.headers["Retry-After"] == "9"
    assert "retry-after" not in http.get("/api/render/proxy/lambda/render_1", headers=account.headers).headers


@pytest.fixture
def done(http, account: Account, draft, world) -> str:
    world.configure(render_progress_per_poll=100)
    _create(http, account, draft)
    return _poll(http, account)["data"]["outputUrl"]


def test_cdn_download_needs_no_token(http, done, world):
    response = http.get(done)
    assert response.status_code == 200
    assert response.content == CLIP
    assert response.headers["content-length"] == str(len(CLIP))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "video/mp4"
    [request] = world.requests_to("/cdn/renders/")
    assert request.has_auth is False and request.auth is None


def test_cdn_records_a_leaked_token(http, account: Account, done, world):
    http.get(done, headers={"Authorization": f"Bearer {account.token}"})
    [request] = world.requests_to("/cdn/renders/")
    assert request.auth == f"Bearer {account.token}"


def test_unfinished_render_is_not_on_the_cdn(http, account: Account, draft, sim):
    _create(http, account, draft)
    assert http.get(f"{sim.base_url}/cdn/renders/render_1.mp4").status_code == 404


def test_range_requests(http, done):
    part = http.get(done, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == CLIP[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(CLIP)}"
    tail = http.get(done, headers={"Range": "bytes=1000-"})
    assert tail.content == CLIP[1000:]
    suffix = http.get(done, headers={"Range": "bytes=-10"})
    assert suffix.content == CLIP[-10:]
    beyond = http.get(done, headers={"Range": f"bytes={len(CLIP)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(CLIP)}"


def test_if_range(http, done):
    etag = http.get(done).headers["etag"]
    assert http.get(done, headers={"Range": "bytes=0-9", "If-Range": etag}).status_code == 206
    stale = http.get(done, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert stale.status_code == 200 and stale.content == CLIP


def test_download_drops_once_then_resumes(http, done, world):
    world.set_faults(download_drop_once=True)
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError):
        with http.stream("GET", done) as response:
            assert response.headers["content-length"] == str(len(CLIP))
            for chunk in response.iter_raw():
                received += chunk
    assert 0 < len(received) < len(CLIP)
    rest = http.get(done, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    assert bytes(received) + rest.content == CLIP
    assert http.get(done).content == CLIP  # once only


def test_broken_output_url_and_the_fallback(http, account: Account, done, world):
    world.set_faults(render_output_url_broken={"times": None})
    assert http.get(done).status_code == 500
    fallback = http.get("/api/render/proxy/render_1/download", headers=account.headers)
    assert fallback.status_code == 200 and fallback.content == CLIP
    assert http.get("/api/render/proxy/render_1/download").status_code == 401


def test_fallback_refuses_an_unfinished_render(http, account: Account, draft):
    _create(http, account, draft)
    response = http.get("/api/render/proxy/render_1/download", headers=account.headers)
    assert response.status_code == 409


def test_sim_media(http, sim):
    clip = http.get(f"{sim.base_url}/cdn/media/clip.mp4")
    assert clip.content[4:8] == b"ftyp"
    assert http.get(f"{sim.base_url}/cdn/media/still.png").content.startswith(b"\x89PNG")
    assert http.get(f"{sim.base_url}/cdn/media/nope.mp4").status_code == 404
