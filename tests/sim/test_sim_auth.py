"""Token bootstrap, sessions, claim links, credits and state."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from sim_helpers import ATTRIBUTION, Account, Backend

from nemochat.sim.world import TOKEN_PREFIX


def test_token_needs_a_client_id(http):
    response = http.post("/api/auth/anonymous-token")
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "missing X-Client-Id"}


def test_token_gives_100_credits_for_7_days(http):
    response = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c-1"})
    data = response.json()["data"]
    assert response.json()["code"] == 0
    assert data["token"].startswith(TOKEN_PREFIX)
    assert data["credits"] == 100
    expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - datetime.now(UTC) - timedelta(days=7)) < timedelta(minutes=1)


def test_second_token_for_the_same_client_is_rate_limited(http):
    http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c-1"})
    again = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c-1"})
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "30"
    other = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c-2"})
    assert other.status_code == 200


def test_rejected_token_can_be_replaced_by_the_same_client(http, backend: Backend, world):
    account = backend.account()
    world.set_faults(error_code={"code": 1001})
    rejected = http.get("/api/credits/balance/simple", headers=account.headers)
    assert rejected.status_code == 401
    assert rejected.json() == {"code": 1001, "message": "invalid or expired token"}
    # The rejected token stays dead, and the same client id may ask again.
    assert http.get("/api/credits/balance/simple", headers=account.headers).status_code == 401
    fresh = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": account.client_id})
    assert fresh.status_code == 200
    assert fresh.json()["data"]["user_id"] == account.user_id


def test_every_backend_endpoint_needs_a_valid_token(http, account: Account):
    bad = {"Authorization": "Bearer nmv_usr_sim_nope", **ATTRIBUTION}
    for method, path in [("POST", "/api/tasks/me/with-session/nemo_agent"),
                         ("GET", "/api/credits/balance/simple"),
                         ("GET", f"/api/state/nemo_agent/me/{account.session_id}/latest"),
                         ("POST", "/run_sse"),
                         ("POST", "/api/auth/claim-token")]:
        response = http.request(method, path, headers=bad, json={})
        assert (response.status_code, response.json()["code"]) == (401, 1001), path
    render = http.get("/api/render/proxy/lambda/render_x", headers=bad)
    assert render.status_code == 401
    assert render.json()["success"] is False


def test_session_creation(http, account: Account, world):
    session = world.session(account.session_id)
    assert session is not None
    assert (session.task_id, session.user_id, session.language) == (account.task_id, account.user_id, "en")
    assert world.requests_to("/api/tasks/me/with-session/nemo_agent")[-1].json == {
        "task_name": "project", "language": "en"}


def test_claim_token(http, account: Account, world):
    response = http.post("/api/auth/claim-token", headers=account.headers,
                         json={"task_id": account.task_id, "session_id": account.session_id})
    data = response.json()["data"]
    assert data["claim_token"].startswith("clm_")
    assert data["expires_in"] == 604800
    assert world.claims[data["claim_token"]] == account.session_id


def test_claim_for_someone_elses_session_is_1002(http, backend: Backend):
    mine, theirs = backend.account(), backend.account()
    response = http.post("/api/auth/claim-token", headers=mine.headers,
                         json={"task_id": theirs.task_id, "session_id": theirs.session_id})
    assert response.json()["code"] == 1002


def test_missing_claim_endpoint(http, account: Account, world):
    world.set_faults(no_claim_endpoint={"times": None})
    for _ in range(2):
        response = http.post("/api/auth/claim-token", headers=account.headers,
                             json={"task_id": account.task_id, "session_id": account.session_id})
        assert response.status_code == 404


def test_credits(backend: Backend, account: Account, world):
    assert backend.credits(account) == {"available": 100, "frozen": 0, "total": 100}
    world.set_credits(3, account.user_id)
    assert backend.credits(account)["available"] == 3


def test_state_of_a_new_session(backend: Backend, account: Account, http):
    response = http.get(f"/api/state/nemo_agent/me/{account.session_id}/latest", headers=account.headers)
    data = response.json()["data"]
    assert data["user_id"] == account.user_id
    assert data["state"]["draft"]["t"] == []
    assert data["state"]["draft"]["d"] == 0
    assert set(data["state"]) == {"draft", "video_infos", "generated_media", "canvas_config"}


def test_unknown_session_state_is_1002(http, account: Account):
    response = http.get("/api/state/nemo_agent/me/nope/latest", headers=account.headers)
    assert response.status_code == 404
    assert response.json()["code"] == 1002
