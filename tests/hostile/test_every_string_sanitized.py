"""every server string passes the one sanitizer, in every view and
in the string values of --json lines (error codes, ids, job errors)."""

from __future__ import annotations

import json
import unicodedata

from hostile_server import sse_reply

from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path

NASTY = "E\u202eX\x9b31m\x1b]0;PWN\x07\U000e0041\u2066"


def assert_clean(text: str) -> None:
    bad = [c for c in text if c not in "\n\t" and (unicodedata.category(c) in ("Cc", "Cs") or (unicodedata.category(c) == "Cf" and c not in "\u200c\u200d"))]
    assert not bad, f"unsanitized characters {bad!r} in {text!r}"


def test_an_agent_error_code_is_sanitized_in_ask_replay_and_log_json(hostile, nemochat, tmp_path):
    event = json.dumps({"errorCode": NASTY, "errorMessage": "boom " + NASTY})
    hostile.route("POST", "/run_sse", sse_reply(event))
    asked = nemochat("--json", "ask", "hello")
    assert asked.returncode == 5, asked.stderr
    assert '"type": "error"' in asked.stdout
    assert_clean(asked.stdout)
    logged = nemochat("log", "--json")
    assert '"error"' in logged.stdout and "EX" in logged.stdout
    assert_clean(logged.stdout)
    recording = tmp_path / "turn.sse"
    recording.write_text(f"data: {event}\n\n")
    replayed = nemochat("--json", "replay", str(recording))
    assert replayed.returncode == 5 and '"type": "error"' in replayed.stdout
    assert_clean(replayed.stdout)


def test_an_untitled_sessions_id_and_a_jobs_error_are_sanitized(nemochat, hostile):
    with Ledger(ledger_path(Paths.default())) as ledger:  # what an older nemochat stored from a hostile server
        ledger.touch_session(hostile.base_url, "s\x1b]0;PWN\x07\u202eid")
        job = ledger.add_job("sora2", {"prompt": "x"})
        ledger.update_job(job, status="failed", error="refused " + NASTY)
    for args in (("sessions",), ("sessions", "--json"), ("log",), ("log", "--json"), ("jobs",), ("jobs", "--json")):
        result = nemochat(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert_clean(result.stdout + result.stderr)
