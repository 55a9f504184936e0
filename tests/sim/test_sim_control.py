"""The /_sim control endpoints, over HTTP."""

from __future__ import annotations

from sim_helpers import Account


def test_faults_merge_and_read_back(http, world):
    response = http.post("/_sim/faults", json={"http_429": {"retry_after": 3}, "payload_shape": "typed"})
    assert response.json()["http_429"] == {"retry_after": 3, "path": None, "times": 1}
    assert http.get("/_sim/faults").json()["payload_shape"] == "typed"
    http.post("/_sim/faults", json={"http_429": None})
    assert world.faults.http_429 is None
    assert world.faults.payload_shape == "typed"


def test_bad_faults_are_400(http):
    assert http.post("/_sim/faults", json={"nope": 1}).status_code == 400
    assert http.post("/_sim/faults", json=[1]).status_code == 400


def test_request_log_hides_auth_values(http, account: Account):
    log = http.get("/_sim/requests").json()["requests"]
    assert [r["path"] for r in log] == ["/api/auth/anonymous-token", "/api/tasks/me/with-session/nemo_agent"]
    assert log[1]["has_auth"] is True
    assert "authorization" not in log[1]["headers"]
    assert account.token not in str(log)
    assert log[1]["json"] == {"task_name": "project", "language": "en"}


def test_reset(http, account: Account, world):
    http.post("/_sim/faults", json={"payload_shape": "typed"})
    assert http.post("/_sim/reset").json() == {"ok": True}
    assert world.session(account.session_id) is None
    assert world.requests == []
    assert world.faults.payload_shape == "adk"


def test_set_credits(http, account: Account, world):
    assert http.post("/_sim/credits", json={"credits": 0}).json() == {"users": 1}
    assert world.user(account.user_id).credits == 0
    assert http.post("/_sim/credits", json={"credits": 5, "user_id": account.user_id}).json() == {"users": 1}
    assert world.user(account.user_id).credits == 5
    assert http.post("/_sim/credits", json={"credits": 5, "user_id": "ghost"}).status_code == 400
