"""ids from servers are checked (characters, length) before they are
stored or used, and path segments are quoted. A bad id is one clear error
(exit 5), never stored, so the next command still works."""

from __future__ import annotations

import pytest
from hostile_server import envelope


@pytest.mark.parametrize("bad_id", ["s\x1b]0;PWN\x07", "s" * 100_000, "../../../api/credits/balance/simple"])
def test_a_bad_session_id_is_refused_and_never_stored(hostile, nemochat, bad_id):
    hostile.route("POST", "/api/tasks/me/with-session/", envelope({"session_id": bad_id, "task_id": "t1"}))
    result = nemochat("ask", "hello")
    assert result.returncode == 5, result.stderr
    assert "answered something unexpected" in result.stderr and "unexpected error" not in result.stderr
    assert "\x1b" not in result.stderr and len(result.stderr) < 1000
    assert "/run_sse" not in hostile.paths() and not any(p.startswith("/api/api") for p in hostile.paths())
    hostile.route("POST", "/api/tasks/me/with-session/", envelope({"session_id": "s-good", "task_id": "t1"}))
    again = nemochat("status")  # nothing bad was stored: the next command works
    assert again.returncode == 0, again.stderr
    assert any(p.startswith("/api/state/nemo_agent/me/s-good/") for p in hostile.paths())


def test_a_session_id_is_one_quoted_path_segment(hostile, nemochat):
    result = nemochat("--session", "../../../api/credits/x", "status")
    assert result.returncode == 0, result.stderr
    state_reads = [p for p in hostile.paths() if p.startswith("/api/state/")]
    assert state_reads and set(state_reads) == {"/api/state/nemo_agent/me/..%2F..%2F..%2Fapi%2Fcredits%2Fx/latest"}


def test_a_claim_token_that_could_swap_a_link_gives_no_link(hostile, nemochat):
    hostile.route("POST", "/api/auth/claim-token", envelope({"claim_token": "clm_a link http://evil.example/claim"}))
    result = nemochat("ask", "hello")
    assert result.returncode == 0, result.stderr
    assert "evil.example" not in result.stderr + result.stdout


def test_a_bad_sora_task_id_is_refused_never_stored_and_said_to_be_maybe_billed(hostile, nemochat):
    from hostile_server import json_reply

    from nemochat.settings import Paths
    from nemochat.store import Ledger, ledger_path

    hostile.route("POST", "/api/sora-2/generate", json_reply({"success": True, "taskId": "t\x1b[2J/../../x"}))
    result = nemochat("sora", "submit", "--prompt", "a cat", "--yes",
                      env={"NANOPHOTO_API_KEY": "sk-hostilekey123", "NANOPHOTO_API_URL": hostile.base_url})
    assert result.returncode == 5, result.stderr
    assert "answered something unexpected" in result.stderr and "billed" in result.stderr and "\x1b" not in result.stderr
    with Ledger(ledger_path(Paths.default())) as ledger:
        (job,) = ledger.jobs()
    assert job.status == "unknown" and not job.task_ids
