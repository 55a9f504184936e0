"""Every switchable fault, seen from the wire."""

from __future__ import annotations

import json

import httpx
import pytest
from sim_helpers import Account, Backend, texts


def test_error_code_1001_fires_once(http, account: Account, world):
    world.set_faults(error_code={"code": 1001})
    assert http.get("/api/credits/balance/simple", headers=account.headers).json()["code"] == 1001
    assert world.faults.error_code is None


def test_error_code_1002_on_run_sse_is_adk_404(http, backend: Backend, account: Account, world):
    world.set_faults(error_code={"code": 1002})
    response = http.post("/run_sse", json=backend.run_body(account, "hi"), headers=account.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": f"Session not found: {account.session_id}"}


def test_error_code_1002_on_state_is_an_envelope(http, account: Account, world):
    world.set_faults(error_code={"code": 1002})
    response = http.get(f"/api/state/nemo_agent/me/{account.session_id}/latest", headers=account.headers)
    assert response.json()["code"] == 1002
    assert http.get(f"/api/state/nemo_agent/me/{account.session_id}/latest",
                    headers=account.headers).json()["code"] == 0


def test_error_code_2001_only_on_turns_that_spend(http, backend: Backend, account: Account, world):
    world.set_faults(error_code={"code": 2001})
    assert texts(backend.events(account, "hello"))  # chat is free: the fault waits
    response = http.post("/run_sse", json=backend.run_body(account, "make a clip"), headers=account.headers)
    assert response.json()["code"] == 2001
    assert backend.credits(account)["available"] == 100


@pytest.mark.parametrize("code", [4001, 4002])
def test_upload_error_codes(http, account: Account, world, code):
    world.set_faults(error_code={"code": code})
    response = http.post(f"/api/upload-video/nemo_agent/me/{account.session_id}", headers=account.headers,
                         files=[("files", ("a.mp4", b"x", "video/mp4"))])
    assert response.json()["code"] == code


def test_persistent_fault_keeps_firing(http, account: Account, world):
    world.set_faults(http_429={"retry_after": 7, "times": None})
    for _ in range(3):
        response = http.get("/api/credits/balance/simple", headers=account.headers)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
    world.set_faults(http_429=None)
    assert http.get("/api/credits/balance/simple", headers=account.headers).status_code == 200


def test_429_without_retry_after_and_on_one_path(http, account: Account, world):
    world.set_faults(http_429={"retry_after": None, "path": "/api/state", "times": 1})
    assert http.get("/api/credits/balance/simple", headers=account.headers).status_code == 200
    response = http.get(f"/api/state/nemo_agent/me/{account.session_id}/latest", headers=account.headers)
    assert response.status_code == 429
    assert "retry-after" not in response.headers


def _lines_until_drop(http, backend: Backend, account: Account, text: str) -> str:
    received = []
    with pytest.raises(httpx.RemoteProtocolError):
        with http.stream("POST", "/run_sse", json=backend.run_body(account, text),
                         headers=account.headers) as response:
            for chunk in response.iter_text():
                received.append(chunk)
    return "".join(received)


def test_drop_stream_after_n_events_on_a_boundary(http, backend: Backend, account: Account, world):
    world.set_faults(drop_stream_after={"events": 2})
    body = _lines_until_drop(http, backend, account, "make a 5s clip")
    assert body.count("data: ") == 2 and body.endswith("\n\n")
    # The backend finishes the turn anyway: the state shows the whole result.
    assert world.wait_until_idle()
    assert [t["tt"] for t in backend.state(account)["draft"]["t"]] == [0, 1, 7]
    assert backend.credits(account)["available"] == 90


def test_drop_stream_mid_event(http, backend: Backend, account: Account, world):
    world.set_faults(drop_stream_after={"events": 1, "mid_event": True})
    body = _lines_until_drop(http, backend, account, "hello")
    first, half = body.split("\n\n", 1)
    json.loads(first.removeprefix("data: "))
    assert half.startswith("data: {") and not half.endswith("\n\n")


def test_drop_leaves_nothing_on_stderr(http, backend: Backend, account: Account, world, capfd):
    world.set_faults(drop_stream_after={"events": 0})
    _lines_until_drop(http, backend, account, "hello")
    assert world.wait_until_idle()
    assert capfd.readouterr().err == ""


def test_error_event_ends_the_stream(backend: Backend, account: Account, world):
    world.set_faults(error_event={"message": "model overloaded", "after_events": 2})
    events = backend.events(account, "make a clip")
    assert len(events) == 3
    assert events[-1] == {"error": "model overloaded"}
    assert world.wait_until_idle()
    assert backend.credits(account) == {"available": 100, "frozen": 0, "total": 100}  # refunded


def test_error_event_fstring_is_not_json(backend: Backend, account: Account, world):
    world.set_faults(error_event={"message": 'Session "x" failed', "after_events": 0, "fstring": True})
    body = backend.raw(account, "hello")
    assert body == 'data: {"error": "Session "x" failed"}\n\n'
    with pytest.raises(json.JSONDecodeError):
        json.loads(body.removeprefix("data: "))


def test_error_event_after_a_normal_turn(backend: Backend, account: Account, world):
    world.set_faults(error_event={"message": "I encountered a temporary issue", "after_events": 99})
    events = backend.events(account, "hello")
    assert texts(events, partial=False)
    assert events[-1] == {"error": "I encountered a temporary issue"}


def test_error_code_event(backend: Backend, account: Account, world):
    world.set_faults(error_code_event={"code": "SAFETY", "message": "blocked", "after_events": 1})
    events = backend.events(account, "make a clip")
    assert len(events) == 2
    assert (events[-1]["errorCode"], events[-1]["errorMessage"]) == ("SAFETY", "blocked")
    assert events[-1]["invocationId"] == events[0]["invocationId"]


def test_slow_heartbeats_as_comments(backend: Backend, account: Account, world):
    world.set_faults(slow_heartbeats={"interval_s": 0.01, "silence_s": 0.05})
    body = backend.raw(account, "hello")
    head = body[: body.index("data: ")]
    assert head.count(": ping\n\n") >= 4


def test_slow_heartbeats_typed(backend: Backend, account: Account, world):
    world.set_faults(payload_shape="typed", slow_heartbeats={"interval_s": 0.01, "silence_s": 0.03})
    events = backend.events(account, "hello")
    assert events[:2] == [{"type": "heartbeat"}] * 2
    assert events[-1]["type"] == "text"


def test_slow_heartbeats_as_empty_data(backend: Backend, account: Account, world):
    world.set_faults(slow_heartbeats={"interval_s": 0.01, "silence_s": 0.02, "style": "empty"})
    assert backend.raw(account, "hello").startswith("data:\n\ndata:\n\n")


def test_payload_shape_is_persistent(backend: Backend, account: Account, world):
    world.set_faults(payload_shape="typed")
    for _ in range(2):
        assert backend.events(account, "hello")[0]["type"] == "text"
    world.set_faults(payload_shape="adk")
    assert "invocationId" in backend.events(account, "hello")[0]


def test_unknown_or_invalid_faults_are_refused(world):
    with pytest.raises(ValueError, match="unknown fault"):
        world.set_faults(explode=True)
    with pytest.raises(ValueError, match="error_code"):
        world.set_faults(error_code={"code": 9999})
    with pytest.raises(ValueError, match="render_status_shape"):
        world.set_faults(render_status_shape=4)
    with pytest.raises(ValueError):
        world.set_faults(drop_stream_after={"events": 1, "bogus": 2})
    assert world.faults.error_code is None


def test_drop_counts_events_not_heartbeats(http, backend: Backend, account: Account, world):
    world.set_faults(payload_shape="typed", drop_stream_after={"events": 1})
    body = _lines_until_drop(http, backend, account, "add music")
    payloads = [json.loads(chunk.removeprefix("data: ")) for chunk in body.split("\n\n") if chunk]
    assert payloads == [{"type": "tool_call", "name": "generate_music",
                         "args": {"prompt": "lo-fi chill beat", "instrumental": True}},
                        {"type": "heartbeat"}]


def test_replay_stream_plays_a_recording_byte_for_byte(http, backend: Backend, account: Account, world, tmp_path):
    recording = tmp_path / "turn.sse"
    recording.write_bytes(b'data: {"content": {"parts": [{"text": "one"}]}}\r\n\r\n: ping\n\ndata: {"a": 1}\n\n')
    world.set_faults(replay_stream={"path": str(recording), "chunk": 7})
    response = http.post("/run_sse", json=backend.run_body(account, "make a clip"), headers=account.headers)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.content == recording.read_bytes()
    assert backend.credits(account)["available"] == 100  # nothing was charged
    assert world.faults.replay_stream is None  # once, by default
    assert texts(backend.events(account, "hello"))  # then the scripts again


def test_replay_stream_at_a_pace(http, backend: Backend, account: Account, world, tmp_path):
    recording = tmp_path / "turn.sse"
    recording.write_text("".join(f'data: {{"n": {n}}}\n\n' for n in range(5)))
    world.set_faults(replay_stream={"path": str(recording), "pace_s": 0.01})
    with http.stream("POST", "/run_sse", json=backend.run_body(account, "hi"), headers=account.headers) as response:
        body = b"".join(response.iter_raw())
    assert body == recording.read_bytes()  # every event, in order (timing is bench/run.py's business)


def test_replay_stream_is_checked(world):
    with pytest.raises(ValueError):
        world.set_faults(replay_stream={"path": "x.sse", "pace_s": -1})
    with pytest.raises(ValueError):
        world.set_faults(replay_stream={"chunk": 10})  # no path


def test_drop_connection_resets_before_any_answer_then_serves(http, account: Account, world, capfd):
    world.set_faults(drop_connection={"path": "/api/credits", "times": 2})
    for _ in range(2):
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            http.get("/api/credits/balance/simple", headers=account.headers)
    assert http.get("/api/credits/balance/simple", headers=account.headers).json()["code"] == 0
    cut = world.requests_to("/api/credits")
    assert len(cut) == 3 and cut[0].method == "GET" and cut[0].has_auth, "a cut request still reached the server"
    assert world.faults.drop_connection is None
    assert capfd.readouterr().err == ""


def test_drop_connection_spares_other_paths_and_the_controls(http, account: Account, world):
    world.set_faults(drop_connection={"path": "/run_sse", "times": None})
    assert http.get("/api/credits/balance/simple", headers=account.headers).status_code == 200
    assert http.get("/_sim/faults").json()["drop_connection"] == {"path": "/run_sse", "times": None}
    with pytest.raises(ValueError):
        world.set_faults(drop_connection={"times": 0})
