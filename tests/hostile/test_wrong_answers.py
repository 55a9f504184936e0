"""Items 7 and 8: JSON nested 100k deep is a protocol error (not a
RecursionError), and an answer of the wrong shape is "NemoVideo answered
something unexpected" (exit 5), never a number it did not send."""

from __future__ import annotations

import pytest
from hostile_server import Reply, envelope, sse_reply

DEEP = b"[" * 100_000 + b"]" * 100_000
HTML = Reply(200, b"<html><body>Welcome to nginx!</body></html>", {"Content-Type": "text/html"})


@pytest.mark.parametrize("answer", [
    Reply(200, DEEP, {"Content-Type": "application/json"}),
    HTML,
    Reply(200, b'{"code": 0, "data": {"available": 5, "frozen": 0, "total": "\xff\xfe"}}', {"Content-Type": "application/json"}),
    envelope([1, 2, 3]),
    envelope({"available": "NaN", "frozen": 0, "total": 5}),
], ids=["deep", "html", "invalid-utf8", "list-for-data", "nan"])
def test_a_credits_answer_of_the_wrong_shape_shows_no_numbers(hostile, nemochat, answer):
    hostile.route("GET", "/api/credits/balance/simple", answer)
    result = nemochat("credits")
    assert result.returncode == 5, result.stderr
    assert "answered something unexpected" in result.stderr
    assert "Credits" not in result.stdout and "unexpected error" not in result.stderr


@pytest.mark.parametrize("answer", [HTML, envelope(["not", "a", "state"]), Reply(200, DEEP, {"Content-Type": "application/json"})], ids=["html", "list", "deep"])
def test_a_state_answer_of_the_wrong_shape_is_no_empty_project(hostile, nemochat, answer):
    hostile.route("GET", "/api/state/", answer)
    result = nemochat("status")
    assert result.returncode == 5, result.stderr
    assert "answered something unexpected" in result.stderr and "Untitled" not in result.stdout


def test_a_deep_event_in_the_agents_stream_is_a_protocol_error(hostile, nemochat):
    hostile.route("POST", "/run_sse", sse_reply(DEEP.decode()))
    result = nemochat("--json", "ask", "hello")
    assert result.returncode == 5, result.stderr
    assert "nested too deeply" in result.stdout and "RecursionError" not in result.stderr + result.stdout


def test_a_deep_sora_status_is_a_protocol_error(hostile, nemochat):
    hostile.route("POST", "/api/sora-2/check-status", Reply(200, DEEP, {"Content-Type": "application/json"}))
    result = nemochat("sora", "status", "--task-id", "task-1", env={"NANOPHOTO_API_KEY": "sk-hostilekey123", "NANOPHOTO_API_URL": hostile.base_url})
    assert result.returncode == 5, result.stderr
    assert "unexpected error" not in result.stderr and "RecursionError" not in result.stderr


def test_a_render_status_of_the_wrong_shape_is_said_and_asked_again(hostile, run):
    import httpx

    from nemochat.clients.media import MediaClient, PollAgain
    from nemochat.clients.nemo import NemoClient
    from nemochat.settings import Paths, Settings

    hostile.route("GET", "/api/render/proxy/lambda/", HTML)

    async def poll() -> None:
        async with httpx.AsyncClient(base_url=hostile.base_url) as http:
            await MediaClient(NemoClient(http, Settings.load(env={}, api_base=hostile.base_url), Paths.default())).render_status("render_1")

    with pytest.raises(PollAgain, match="answered something unexpected"):
        run(poll())
