"""The pieces on their own: status shapes, the poll schedule, file naming,
the no-overwrite commit, and download edge cases the simulator does not
serve (a 200 to a Range request, a short body, a redirect off the API host,
5xx and timeouts while polling), with httpx's MockTransport."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from nemochat.app.destination import commit, part_path, target_path
from nemochat.app.download import Source, fetch
from nemochat.app.export import draft_from_state, poll_waits
from nemochat.app.transfer_meter import Meter
from nemochat.clients.media import MediaClient, PollAgain, RenderNotFound, parse_render_status
from nemochat.clients.nemo import NemoClient
from nemochat.errors import BackendError
from nemochat.settings import Paths, Settings

BODY = bytes(range(256)) * 40  # 10 KiB


# -- render status ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "data": {"id": "r1", "status": "completed", "progress": 100, "outputUrl": "https://cdn/x.mp4"}},
        {"id": "r1", "status": "completed", "progress": 100, "outputUrl": "https://cdn/x.mp4"},  # already unwrapped
        {"status": "completed", "progress": 100, "output": {"url": "https://cdn/x.mp4"}},
        {"taskId": "r1", "status": "completed", "progress": 100, "output": {"url": "https://cdn/x.mp4", "duration": 2, "size": 9}},
    ],
)
def test_three_status_shapes_read_alike(body):
    status = parse_render_status(body, "r1")
    assert (status.id, status.status, status.progress, status.url, status.reason) == ("r1", "completed", 100, "https://cdn/x.mp4", None)
    assert status.finished


def test_status_words_and_failures():
    failed = parse_render_status({"status": "FAILED", "progress": 51, "error": "worker crashed"}, "r1")
    assert (failed.status, failed.reason, failed.finished) == ("failed", "worker crashed", True)
    assert parse_render_status({"status": "canceled"}, "r").status == "cancelled"
    running = parse_render_status({"status": "processing", "progress": "34"}, "r")
    assert (running.progress, running.finished, running.url) == (34, False, None)
    assert parse_render_status({"status": "processing", "progress": 250}, "r").progress == 100


def test_draft_from_state_finds_the_raw_draft():
    draft = {"t": [{"tt": 0, "sg": [{"st": 0, "et": 1}]}], "d": 1}
    assert draft_from_state({"state": {"draft": draft}}) == draft
    assert draft_from_state({"data": {"state": {"draft": '{"t": [], "d": 0}'}}}) == {"t": [], "d": 0}
    assert draft_from_state({"state": {}}) is None


# -- the poll schedule ---------------------------------------------------------------------


def test_polls_start_near_2s_and_grow_to_the_protocol_range():
    waits = poll_waits(Settings())
    assert [round(next(waits), 2) for _ in range(8)] == [2, 3, 4.5, 6.75, 10.12, 15.19, 20, 20]


def test_a_render_that_never_ends_costs_at_most_40_polls():
    """The polling economy: the whole schedule, to the deadline."""
    settings, waits, elapsed, polls = Settings(), poll_waits(Settings()), 0.0, 0
    while (elapsed := elapsed + next(waits)) < settings.export_deadline:
        polls += 1
    assert polls + 1 <= 40  # + the poll at the deadline itself


def test_poll_interval_overrides_the_schedule():
    waits = poll_waits(Settings(poll_interval=7))
    assert [next(waits) for _ in range(3)] == [7, 7, 7]


def test_the_schedule_comes_from_the_environment():
    settings = Settings.load(env={"NEMOCHAT_EXPORT_DEADLINE": "60", "NEMOCHAT_EXPORT_FIRST_POLL": "1", "NEMOCHAT_EXPORT_MAX_POLL": "20"})
    assert (settings.export_deadline, settings.export_first_poll, settings.export_max_poll) == (60, 1, 20)


# -- naming ----------------------------------------------------------------------------------


def _target(tmp_path: Path, **kw) -> Path:
    args = {"output": None, "output_dir": str(tmp_path), "title": "Urban Dreams", "session_id": "sess-1",
            "render_id": "render_abc", "force": False, **kw}
    return target_path(**args)


def test_default_name_is_title_and_a_short_render_id(tmp_path):
    assert _target(tmp_path) == tmp_path / "Urban-Dreams-abc.mp4"
    assert _target(tmp_path, title=None) == tmp_path / "sess-1-abc.mp4"
    assert _target(tmp_path, title="雨の東京 🌧") == tmp_path / "雨の東京-🌧-abc.mp4"
    long = _target(tmp_path, title="rainy Tokyo", render_id="render_7bd1ad9f-b806-4c1e-9a57-2f3c9d0e1a2b")
    assert long == tmp_path / "rainy-Tokyo-7bd1ad9f.mp4"
    assert _target(tmp_path, title=None, session_id="3cbddc80-6d4f-4f0e-9d7e-1f2a3b4c5d6e", render_id="r9").name == "3cbddc80-r9.mp4"


def test_a_long_title_keeps_the_render_id(tmp_path):
    name = _target(tmp_path, title="word " * 100).name
    assert name.endswith("-abc.mp4") and len(name.encode()) < 255


@pytest.mark.parametrize("title", ["../../evil.mp4", "/etc/passwd", "..\\..\\x", "a/../../b", "\x1b]0;pwn\x07.mp4", ".."])
def test_hostile_titles_stay_in_the_folder(tmp_path, title):
    assert _target(tmp_path, title=title).parent == tmp_path


def test_output_can_be_a_file_or_a_folder(tmp_path):
    assert _target(tmp_path, output=str(tmp_path / "a")) == tmp_path / "a.mp4"
    assert _target(tmp_path, output=str(tmp_path / "a.mov")) == tmp_path / "a.mov"
    (tmp_path / "videos").mkdir()
    assert _target(tmp_path, output=str(tmp_path / "videos")) == tmp_path / "videos" / "Urban-Dreams-abc.mp4"


def test_taken_names_get_a_number_unless_forced(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"1")
    (tmp_path / "a (2).mp4").write_bytes(b"2")
    assert _target(tmp_path, output=str(tmp_path / "a.mp4")) == tmp_path / "a (3).mp4"
    assert _target(tmp_path, output=str(tmp_path / "a.mp4"), force=True) == tmp_path / "a.mp4"


def test_commit_never_replaces_a_file_that_appeared_meanwhile(tmp_path):
    target = tmp_path / "v.mp4"
    part = part_path(target)
    part.write_bytes(b"new")
    target.write_bytes(b"someone else's")  # appeared while we downloaded
    final = commit(part, target, force=False)
    assert final == tmp_path / "v (2).mp4" and final.read_bytes() == b"new"
    assert target.read_bytes() == b"someone else's" and not part.exists()


def test_commit_with_force_replaces(tmp_path):
    target = tmp_path / "v.mp4"
    target.write_bytes(b"old")
    part = part_path(target)
    part.write_bytes(b"new")
    assert commit(part, target, force=True) == target and target.read_bytes() == b"new"


# -- fetching: edge cases over a mock transport ---------------------------------------------------


class _Dropping(httpx.AsyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):
        yield self.data
        raise httpx.ReadError("connection reset")


def _fetch(handler, tmp_path: Path, *, headers=None, cdn_handler=None):
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request, len(seen))

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(recording)) as client, \
                httpx.AsyncClient(transport=httpx.MockTransport(cdn_handler or recording)) as cdn:
            part = tmp_path / "x.mp4.part"
            size = await fetch(Source("https://api.test/file", client, headers or {}), part,
                               Meter(lambda e: None, "t", "x"), resumes=3, emit=lambda e: None, cdn=cdn)
            return size, part.read_bytes()

    return asyncio.run(go()), seen


def test_a_200_answer_to_a_range_request_starts_over(tmp_path):
    def handler(request, n):
        if n == 1:
            return httpx.Response(200, headers={"Content-Length": str(len(BODY)), "ETag": '"v1"'}, stream=_Dropping(BODY[:3000]))
        return httpx.Response(200, headers={"Content-Length": str(len(BODY)), "ETag": '"v2"'}, content=BODY)

    (size, data), seen = _fetch(handler, tmp_path)
    assert size == len(BODY) and data == BODY
    assert seen[1].headers["Range"] == "bytes=3000-" and seen[1].headers["If-Range"] == '"v1"'


def test_a_short_body_resumes_with_a_range(tmp_path):
    def handler(request, n):
        if n == 1:  # announces everything, sends half, closes cleanly
            return httpx.Response(200, headers={"Content-Length": str(len(BODY)), "Last-Modified": "Tue, 14 Nov 2023 22:13:20 GMT"},
                                  stream=httpx.ByteStream(BODY[:5000]))
        assert request.headers["If-Range"] == "Tue, 14 Nov 2023 22:13:20 GMT"
        return httpx.Response(206, headers={"Content-Range": f"bytes 5000-{len(BODY) - 1}/{len(BODY)}"}, content=BODY[5000:])

    (size, data), seen = _fetch(handler, tmp_path)
    assert data == BODY and len(seen) == 2


def test_without_a_validator_a_drop_starts_over(tmp_path):
    def handler(request, n):
        if n == 1:
            return httpx.Response(200, headers={"Content-Length": str(len(BODY))}, stream=_Dropping(BODY[:100]))
        return httpx.Response(200, content=BODY)

    (_, data), seen = _fetch(handler, tmp_path)
    assert data == BODY and "Range" not in seen[1].headers


def test_an_http_error_is_a_download_error(tmp_path):
    with pytest.raises(BackendError, match="HTTP 500"):
        _fetch(lambda request, n: httpx.Response(500), tmp_path)


def test_an_authed_redirect_off_the_api_host_drops_the_token(tmp_path):
    cdn_seen: list[httpx.Request] = []

    def api(request, n):
        return httpx.Response(302, headers={"Location": "https://cdn.test/signed.mp4"})

    def cdn(request):
        cdn_seen.append(request)
        return httpx.Response(200, content=BODY)

    (_, data), seen = _fetch(api, tmp_path, headers={"Authorization": "Bearer secret"}, cdn_handler=cdn)
    assert data == BODY and seen[0].headers["Authorization"] == "Bearer secret"
    assert [r.url.host for r in cdn_seen] == ["cdn.test"] and "Authorization" not in cdn_seen[0].headers


# -- polling: no answer is not a failure --------------------------------------------------------


def _status(handler):
    async def go():
        async with httpx.AsyncClient(base_url="https://api.test", transport=httpx.MockTransport(handler)) as http:
            nemo = NemoClient(http, Settings(token="tok"), Paths.default())
            return await MediaClient(nemo).render_status("render_1")

    return asyncio.run(go())


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_while_polling_means_poll_again(status):
    with pytest.raises(PollAgain):
        _status(lambda request: httpx.Response(status, headers={"Retry-After": "4"}, text="busy"))


def test_a_timeout_while_polling_means_poll_again():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(PollAgain, match="timed out"):
        _status(handler)


def test_an_unknown_render_is_an_error_not_a_wait():
    error = None
    try:
        _status(lambda request: httpx.Response(404, json={"success": False, "code": 404, "message": "render not found"}))
    except BackendError as exc:
        error = exc
    assert isinstance(error, RenderNotFound) and not isinstance(error, PollAgain) and "render_1" in error.message


def test_a_failure_in_a_success_false_envelope_is_the_render_failing():
    status = _status(lambda request: httpx.Response(200, json={"success": False, "data": {"status": "failed", "error": "out of memory"}}))
    assert (status.status, status.reason) == ("failed", "out of memory")


def test_retry_after_on_a_status_answer_is_kept():
    status = _status(lambda request: httpx.Response(200, headers={"Retry-After": "9"}, json={"status": "processing", "progress": 5}))
    assert status.retry_after == 9  # the exporter waits at least this long


def test_an_unwritable_folder_is_a_clear_usage_error(tmp_path):
    from nemochat.app.download import download
    from nemochat.errors import UsageError

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=BODY))) as client:
            blocker = tmp_path / "not-a-folder"
            blocker.write_bytes(b"")
            await download([Source("https://cdn.test/x", client)], blocker / "x.mp4", force=False, emit=lambda e: None, cdn=client)

    with pytest.raises(UsageError, match="Cannot write"):
        asyncio.run(go())


def _left_part(target: Path, url: str, size: int) -> None:
    """What a run killed mid-download leaves: the part and its note."""
    import json

    part_path(target).write_bytes(BODY[:size])
    Path(str(part_path(target)) + ".json").write_text(json.dumps({"url": url, "validator": '"v1"', "total": len(BODY)}))


@pytest.mark.parametrize("case", ["same URL, new signature", "another URL", "a planted link"])
def test_a_part_left_by_a_killed_run_is_resumed_only_when_it_is_ours(tmp_path, case):
    from nemochat.app.download import download

    target, seen = tmp_path / "x.mp4", []
    _left_part(target, "https://cdn.test/x.mp4" if case != "another URL" else "https://cdn.test/other.mp4", 4000)
    if case == "a planted link":
        victim = tmp_path / "victim"
        victim.write_bytes(b"keep me")
        part_path(target).unlink()
        part_path(target).symlink_to(victim)

    def cdn(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("range"))
        if request.headers.get("range") == "bytes=4000-" and request.headers.get("if-range") == '"v1"':
            return httpx.Response(206, content=BODY[4000:], headers={"Content-Range": f"bytes 4000-{len(BODY) - 1}/{len(BODY)}", "ETag": '"v1"'})
        return httpx.Response(200, content=BODY, headers={"ETag": '"v1"'})

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(cdn)) as client:
            return await download([Source("https://cdn.test/x.mp4?sig=2", client)], target, force=False, emit=lambda e: None, cdn=client)

    path, _ = asyncio.run(go())
    assert path.read_bytes() == BODY
    assert seen == (["bytes=4000-"] if case == "same URL, new signature" else [None])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.mp4"] + (["victim"] if case == "a planted link" else []))
    if case == "a planted link":
        assert (tmp_path / "victim").read_bytes() == b"keep me"
