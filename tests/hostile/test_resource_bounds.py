"""bounds on what a server can make nemochat hold or wait for.

A gzip bomb after we asked for identity, a stream line that never ends, a
download larger than announced, an answer trickled a byte at a time: each
is cut at a bound (a setting) with a clear error, exit 5."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hostile_server import Reply, gzip_bomb

from nemochat.app.download import DownloadError, download

CREDITS = json.dumps({"code": 0, "data": {"available": 5, "frozen": 0, "total": 5}}).encode()


def test_a_gzip_bomb_for_a_json_answer_is_cut_at_the_bound(hostile, nemochat):
    bomb = gzip_bomb(64 * 1024 * 1024, prefix=CREDITS)  # valid JSON: the object, then 64 MB of spaces
    assert len(bomb) < 100_000
    hostile.route("GET", "/api/credits/balance/simple", Reply(200, bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    result = nemochat("credits")
    assert result.returncode == 5, result.stderr
    assert "larger than 8 MB" in result.stderr and "Credits" not in result.stdout


def test_a_stream_line_past_the_bound_ends_the_turn(hostile, nemochat):
    endless = b"data: " + b"x" * 3_000_000  # no line end, ever
    hostile.route("POST", "/run_sse", Reply(200, gzip_bomb(0, prefix=endless), {"Content-Type": "text/event-stream", "Content-Encoding": "gzip"}))
    result = nemochat("--json", "ask", "hello", env={"NEMOCHAT_SSE_EVENT_MAX_BYTES": "1000000"})
    assert result.returncode == 5, result.stderr
    assert "sse_event_max_bytes" in result.stdout


def test_a_trickled_answer_ends_at_the_whole_request_deadline(hostile, nemochat):
    hostile.route("GET", "/api/credits/balance/simple", Reply(200, CREDITS + b" " * 400, {"Content-Type": "application/json"}, trickle=0.05))
    result = nemochat("credits", env={"NEMOCHAT_REQUEST_TIMEOUT": "0.5"})
    assert result.returncode == 5, result.stderr
    assert "no whole answer within 1 s" in result.stderr


def test_a_download_answered_with_a_gzip_bomb_after_asking_for_identity_is_refused(hostile, tmp_path):
    from nemochat.app.download import Source

    hostile.route("GET", "/video.mp4", Reply(200, gzip_bomb(64 * 1024 * 1024), {"Content-Encoding": "gzip"}))
    target = tmp_path / "out" / "video.mp4"
    target.parent.mkdir()

    async def fetch() -> None:
        async with httpx.AsyncClient() as cdn:
            await download([Source(hostile.base_url + "/video.mp4", cdn)], target, force=False, emit=lambda e: None, cdn=cdn, resumes=0)

    with pytest.raises(DownloadError, match="compressed the file"):
        asyncio.run(fetch())
    assert list(target.parent.iterdir()) == []  # no file, no part left
    assert hostile.requests[-1].headers["accept-encoding"] == "identity"


NANOPHOTO = {"NANOPHOTO_API_URL": "", "NANOPHOTO_API_KEY": "sk-hostilekey123"}


def test_a_trickled_sora_status_ends_at_the_whole_request_deadline(hostile, nemochat):
    """A status poll a server trickles forever would hold a job (and the REPL's toolbar) for ever."""
    status = json.dumps({"success": True, "data": {"status": "processing"}}).encode()
    hostile.route("POST", "/api/sora-2/check-status", Reply(200, status + b" " * 400, {"Content-Type": "application/json"}, trickle=0.05))
    result = nemochat("sora", "status", "--task-id", "task123", env={**NANOPHOTO, "NEMOCHAT_NANOPHOTO_API_BASE": hostile.base_url,
                                                                    "NEMOCHAT_REQUEST_TIMEOUT": "0.5"})
    assert result.returncode == 5, result.stderr
    assert "no whole answer within 1 s" in result.stderr


def test_a_trickled_paid_submit_is_a_lost_answer_not_resent(hostile, nemochat):
    """Cut by the deadline, a paid submit may still have started (and been billed): said so, sent once."""
    accepted = json.dumps({"success": True, "data": {"taskId": "task123"}}).encode()
    hostile.route("POST", "/api/sora-2/generate", Reply(200, accepted + b" " * 400, {"Content-Type": "application/json"}, trickle=0.05))
    result = nemochat("sora", "submit", "--prompt", "a cat", "--yes",
                      env={**NANOPHOTO, "NEMOCHAT_NANOPHOTO_API_BASE": hostile.base_url, "NEMOCHAT_REQUEST_TIMEOUT": "0.5"})
    assert result.returncode == 5, result.stderr
    assert "may be running and billed" in result.stderr
    assert hostile.paths().count("/api/sora-2/generate") == 1
