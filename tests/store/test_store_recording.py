"""Record mode: a live turn saved as a fixture replays to what the user saw,
and the fixture holds no token, client id or claim token."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest

from ui_deltas import pieces_joined
from nemochat.app.replay import replay_bytes
from nemochat.clients.recording import Recording, StreamRecorder, expected_result
from nemochat.core import ui_events as ui

FIXTURE_KEYS = {"description", "texts", "tools", "silent", "errors", "thoughts", "question", "incomplete"}
TOKEN_LOOKING = [re.compile(r"nmv_[a-z]+_[A-Za-z0-9]"), re.compile(r"(?i)\bbearer\s+\S"), re.compile(r"\bclm_[A-Za-z0-9]{6,}")]


def record_live(runtime, folder, *texts):
    """Say ``texts`` in one session with ``--record folder``; returns (events, token, client id)."""

    async def body():
        async with runtime(record=str(folder)) as (rt, view):
            await rt.conversation.connect()
            for text in texts:
                await rt.conversation.handle(text)
            return view.events, rt.nemo.token, rt.nemo.client_id

    return asyncio.run(body())


def replayed(path):
    events: list = []
    asyncio.run(replay_bytes(path.read_bytes(), events.append))
    return events


def fixture_part(sidecar: dict) -> dict:
    return {k: v for k, v in sidecar.items() if k in FIXTURE_KEYS - {"description"}}


@pytest.mark.parametrize(
    "text, silent",
    [("make a 10s rainy Tokyo clip", False), ("Which style should I choose?", False), ('add the title "Neon"', True)],
)
def test_a_recorded_turn_replays_to_what_the_user_saw(runtime, tmp_path, text, silent):
    live, token, client_id = record_live(runtime, tmp_path / "rec", text)
    (sse,) = sorted((tmp_path / "rec").glob("*.sse"))
    sidecar = json.loads(sse.with_suffix(".json").read_text(encoding="utf-8"))

    # the shape of fixtures/sse/*.json, plus what was recorded
    assert set(sidecar) == FIXTURE_KEYS | {"recording"}
    assert sidecar["texts"] == [m.raw for m in live if isinstance(m, ui.Message)]
    assert sidecar["silent"] is silent and sidecar["recording"]["complete"] is True
    assert text in sidecar["description"]

    # replayed offline, the bytes give exactly the result the live client had
    again = replayed(sse)
    assert fixture_part(expected_result(again)) == fixture_part(sidecar)
    live_turn = [e for e in live if not isinstance(e, (ui.SessionReady, ui.UserSaid, ui.Notice, ui.ArtifactNoted, ui.ChangesShown, ui.ActionOffered, ui.StateShown))]
    turn_again = [e for e in again if not isinstance(e, (ui.Notice, ui.ArtifactNoted))]  # (saved files: compared next)
    assert pieces_joined(turn_again) == pieces_joined(live_turn)  # (the reads differ: see ui_deltas)
    saved = lambda events: [e for e in events if isinstance(e, ui.ArtifactNoted)]  # noqa: E731
    assert saved(again) == saved(live)

    recording = sidecar["recording"]
    assert recording["bytes"] == sse.stat().st_size == sum(n for _, n in recording["timing"]["chunks"])
    assert recording["request"]["body"]["new_message"]["parts"][0]["text"] == text
    assert recording["request"]["headers"]["authorization"] == "[redacted]"
    assert recording["response"]["status"] == 200

    for path in (sse, sse.with_suffix(".json")):
        content = path.read_text(encoding="utf-8", errors="replace")
        assert token not in content and client_id not in content
        assert not [p.pattern for p in TOKEN_LOOKING if p.search(content)]


def test_each_stream_gets_its_own_files(runtime, tmp_path):
    record_live(runtime, tmp_path / "rec", "make a 10s rainy Tokyo clip", "add lo-fi music", "hello")
    streams = sorted((tmp_path / "rec").glob("*.sse"))
    assert len(streams) == 3 and len({p.name for p in streams}) == 3
    assert all(p.with_suffix(".json").exists() for p in streams)
    assert all(re.fullmatch(r"\d{8}-\d{6}-\d+\.sse", p.name) for p in streams)


def test_the_record_flag_works_from_the_command_line(cli, sim, tmp_path):
    folder = tmp_path / "rec"
    done = cli("--api-base", sim.base_url, "--record", str(folder), "ask", "hello")
    assert done.returncode == 0, done.stderr
    (sse,) = folder.glob("*.sse")
    assert b"NemoVideo agent" in sse.read_bytes()


# -- redaction, byte for byte ---------------------------------------------------------------------------


def _recording(tmp_path, secrets=("fake-secret-token-1", "client-uuid-0000")):
    request = httpx.Request("POST", "http://sim/run_sse", headers={"Authorization": "Bearer fake-secret-token-1", "X-Client-Id": "client-uuid-0000", "Accept": "text/event-stream"})
    response = httpx.Response(200, headers={"content-type": "text/event-stream", "set-cookie": "sid=abc"})
    return Recording(tmp_path / "r", request, {"new_message": {"parts": [{"text": "hi"}]}}, response, secrets, clock=lambda: 0.0)


def test_secrets_split_across_chunks_are_redacted_and_everything_else_is_kept(tmp_path):
    rec = _recording(tmp_path)
    chunks = [b'data: {"text": "open https://x/claim?ct=clm_9f8e7', b'd6c5b now"}\r\n\r\n', b": ping\n\n", b'data: {"t": "nmv_usr_sec', b'ret_token_1 client-uuid-0000"}\n\n', b"data: caf\xc3"]
    for chunk in chunks:
        rec.feed(chunk)
    rec.finish()
    data = rec.sse_path.read_bytes()
    assert b"clm_9f8e7d6c5b" not in data and b"nmv_usr_secret" not in data and b"client-uuid-0000" not in data
    assert data == (
        b'data: {"text": "open https://x/claim?ct=[redacted] now"}\r\n\r\n: ping\n\n'
        b'data: {"t": "[redacted] [redacted]"}\n\ndata: caf\xc3'
    )  # CRLF, comments and a character cut in half stay exactly as they came
    sidecar = json.loads(rec.json_path.read_text())
    assert sidecar["recording"]["request"]["headers"]["x-client-id"] == "[redacted]"
    assert sidecar["recording"]["response"]["headers"]["set-cookie"] == "[redacted]"
    assert sidecar["recording"]["request"]["headers"]["accept"] == "text/event-stream"


def test_a_stream_that_never_ended_says_so(tmp_path):
    recorder = StreamRecorder(tmp_path)
    request = httpx.Request("POST", "http://sim/run_sse")
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"")
    recorder.attach(request, {}, response)
    recorder.emit(ui.Message(0, "Half an ans", complete=False))
    sidecar = json.loads(recorder.current.json_path.read_text())
    assert sidecar["texts"] == ["Half an ans"] and sidecar["incomplete"] is True
    assert sidecar["recording"]["complete"] is False


def test_a_compressed_stream_is_saved_as_text(tmp_path):
    import gzip

    body = b'data: {"type": "text", "content": "hello"}\n\n'
    packed = gzip.compress(body)
    request = httpx.Request("POST", "http://sim/run_sse")
    response = httpx.Response(200, headers={"content-type": "text/event-stream", "content-encoding": "gzip"})
    rec = Recording(tmp_path / "r", request, {}, response, (), clock=lambda: 0.0)
    for start in range(0, len(packed), 5):
        rec.feed(packed[start : start + 5])
    rec.finish()
    assert rec.sse_path.read_bytes() == body
    assert json.loads(rec.json_path.read_text())["recording"]["response"]["headers"]["content-encoding"] == "gzip"
