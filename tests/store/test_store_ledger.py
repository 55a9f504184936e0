"""The ledger's own API: sessions, turns, jobs, the request budget, hygiene."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from store_helpers import Clock

from nemochat.store import JOB_KINDS, Ledger
from nemochat.store.records import JobRecord

API = "https://api.example"


@pytest.fixture
def clocked(tmp_path):
    with Ledger(tmp_path / "ledger.db", clock=Clock()) as opened:
        yield opened


# -- sessions ------------------------------------------------------------------------------------


def test_the_last_session_is_per_backend(clocked):
    clocked.touch_session(API, "s-old", task_id="t1", user_id="u1", language="en")
    clocked.touch_session("http://other/", "s-elsewhere")
    clocked.touch_session(API + "/", "s-new")
    assert clocked.last_session(API).id == "s-new"
    assert clocked.last_session("http://other").id == "s-elsewhere"
    assert clocked.last_session("http://nowhere") is None
    clocked.touch_session(API, "s-old")  # used again: it is the last one now, and keeps what it knew
    last = clocked.last_session(API)
    assert (last.id, last.task_id, last.user_id, last.language) == ("s-old", "t1", "u1", "en")


def test_sessions_are_newest_first_with_turns_and_title(clocked):
    clocked.touch_session(API, "a")
    clocked.touch_session(API, "b")
    turn = clocked.open_turn("a", "make a 10s rainy Tokyo clip\nwith   neon")
    clocked.finish_turn(turn, silent=False)
    found = clocked.sessions()
    assert [s.id for s in found] == ["a", "b"]
    assert found[0].turns == 1 and found[1].turns == 0
    assert found[0].title == "make a 10s rainy Tokyo clip with neon"  # the first words, on one line
    clocked.open_turn("a", "a second message does not rename it")
    assert clocked.find_session("a").title == "make a 10s rainy Tokyo clip with neon"


def test_a_session_is_found_by_a_unique_prefix(clocked):
    clocked.touch_session(API, "6d984047-a7a8")
    clocked.touch_session(API, "6d99aaaa-0000")
    assert clocked.find_session("6d984").id == "6d984047-a7a8"
    assert clocked.find_session("6d9") is None  # ambiguous
    assert clocked.find_session("6d984047-a7a8", API).id == "6d984047-a7a8"
    assert clocked.find_session("6d984047-a7a8", "http://other") is None
    assert clocked.find_session("%") is None  # LIKE wildcards are literal


def test_the_last_video_is_the_newest_saved_file_else_a_url(clocked):
    clocked.touch_session(API, "s")
    turn = clocked.open_turn("s", "make it")
    clocked.add_item(turn, "text", "Here it is: https://cdn.example/v/clip_1.mp4 enjoy")
    assert clocked.find_session("s").last_video == "https://cdn.example/v/clip_1.mp4"
    job = clocked.add_job("render", {"draft": "..."}, session_id="s")
    clocked.update_job(job, status="completed", url="https://cdn.example/render.mp4")
    assert clocked.find_session("s").last_video == "https://cdn.example/render.mp4"
    clocked.update_job(job, local_file="/home/me/Videos/urban.mp4")
    assert clocked.find_session("s").last_video == "/home/me/Videos/urban.mp4"


# -- turns --------------------------------------------------------------------------------------------


def test_a_turn_keeps_its_items_in_order(clocked):
    clocked.touch_session(API, "s")
    turn = clocked.open_turn("s", "hello", credits_before=100)
    text = clocked.add_item(turn, "text", "Hel", complete=False)
    clocked.extend_item(text, "lo")
    clocked.add_item(turn, "tool", "generate_video")
    clocked.set_item(text, "Hello!", complete=True)
    dropped = clocked.add_item(turn, "text", "noise")
    clocked.drop_item(dropped)
    clocked.set_turn_changes(turn, ["1. Video: city (0-10s)"])
    clocked.set_turn_credits(turn, after=90)
    clocked.set_turn_error(turn, "agent_error", "first")
    clocked.set_turn_error(turn, "other", "second")  # the first error is kept
    clocked.finish_turn(turn, silent=False)
    record = clocked.turn(turn)
    assert record.messages == ("Hello!",) and record.tools == ("generate_video",)
    assert record.changes == ("1. Video: city (0-10s)",)
    assert (record.credits_before, record.credits_after) == (100, 90)
    assert (record.error_code, record.error) == ("agent_error", "first")
    assert record.finished and record.silent is False
    with pytest.raises(ValueError):
        clocked.add_item(turn, "video", "nope")


def test_turns_are_oldest_first_and_last_n_works(clocked):
    clocked.touch_session(API, "s")
    for n in range(5):
        clocked.open_turn("s", f"message {n}")
    assert [t.user_text for t in clocked.turns("s")] == [f"message {n}" for n in range(5)]
    assert [t.user_text for t in clocked.turns("s", last=2)] == ["message 3", "message 4"]
    assert not clocked.turns("s")[0].finished


def test_a_turn_needs_a_known_session(clocked):
    with pytest.raises(sqlite3.IntegrityError):
        clocked.open_turn("never-touched", "hi")


# -- jobs -----------------------------------------------------------------------------------------------


def test_a_job_is_written_before_the_submit_and_follows_its_task(clocked):
    job_id = clocked.add_job("sora2", {"prompt": "a cat", "modelTier": "sora2"}, session_id="s", api_key_hint="np_live_ABCD1234")
    job = clocked.job(job_id)
    assert isinstance(job, JobRecord) and job.status == "created" and job.open
    assert job.api_key_hint == "1234"  # never more than 4 characters of a key
    clocked.set_job_task(job_id, "task_sora_1")
    assert clocked.job(job_id).status == "submitted"
    assert clocked.job_by_task("task_sora_1").id == job_id
    clocked.update_job(job_id, status="processing")
    clocked.update_job(job_id, status="COMPLETED", url="https://cdn/v.mp4", credits_used=4)
    clocked.update_job(job_id, url="https://cdn/v.mp4", local_file="/tmp/v.mp4")  # the same URL is not added twice
    done = clocked.job(job_id)
    assert (done.status, done.urls, done.local_files, done.credits_used) == ("completed", ("https://cdn/v.mp4",), ("/tmp/v.mp4",), 4)
    assert not done.open and done.task_id == "task_sora_1"


@pytest.mark.parametrize(
    "task_ids, expected",
    [
        ({"s1": "veo_a", "s2": "veo_b"}, ["veo_a", "veo_b"]),
        ({"shots": [{"shotId": "s1", "taskId": "veo_a"}, {"shotId": "s2", "taskId": "veo_b"}]}, ["veo_a", "veo_b"]),
        ([{"shotId": "s1", "taskId": "veo_a"}], ["veo_a"]),
        ({"id": "sora-2:task_x"}, ["sora-2:task_x"]),
    ],
)
def test_every_task_id_of_a_job_finds_it(clocked, task_ids, expected):
    job_id = clocked.add_job("veo3.1", {"shots": []})
    clocked.set_job_task(job_id, task_ids)
    assert clocked.job(job_id).task_ids == task_ids
    for task_id in expected:
        assert clocked.job_by_task(task_id).id == job_id
    assert clocked.job_by_task("s1") is None  # shot ids are not task ids


def test_jobs_are_newest_first_and_filter(clocked):
    ids = [clocked.add_job(kind, {}) for kind in ("render", "sora2", "render", "gateway")]
    clocked.update_job(ids[0], status="completed")
    clocked.update_job(ids[1], status="failed", error="GENERATION_FAILED")
    assert [j.id for j in clocked.jobs()] == ids[::-1]
    assert [j.id for j in clocked.jobs(kind="render")] == [ids[2], ids[0]]
    assert [j.id for j in clocked.jobs(open_only=True)] == [ids[3], ids[2]]
    assert len(clocked.jobs(limit=1)) == 1
    assert clocked.job(999) is None and clocked.job_by_task("nothing") is None
    with pytest.raises(ValueError):
        clocked.add_job("sora3", {})
    with pytest.raises(KeyError):
        clocked.update_job(999, status="completed")
    assert set(JOB_KINDS) == {"render", "sora2", "veo3.1", "gateway"}


def test_job_parameters_are_scrubbed_of_credentials(clocked):
    job_id = clocked.add_job(
        "gateway",
        {"prompt": "p", "apiKey": "sk-secret", "api_key": "x", "headers": {"Authorization": "Bearer t"}, "images": [{"token": "t"}]},
    )
    assert clocked.job(job_id).params == {"prompt": "p", "headers": {}, "images": [{}]}


# -- the NanoPhoto budget ------------------------------------------------------------------------------------


def test_requests_are_counted_per_key_and_window(clocked):
    for at in (100.0, 200.0, 300.0):
        clocked.log_request("ABCD", at)
    clocked.log_request("WXYZ", 300.0)
    assert clocked.count_requests("ABCD", since=150.0) == 2
    assert clocked.count_requests("ABCD", since=0.0) == 3
    assert clocked.count_requests("none", since=0.0) == 0


def test_reserving_stops_at_the_limit(clocked):
    assert [clocked.reserve_request("K", 1000.0 + n, limit=3) for n in range(5)] == [True, True, True, False, False]
    assert clocked.reserve_request("K", 1000.0 + 3601, limit=3)  # the first fell out of the hour


# -- hygiene --------------------------------------------------------------------------------------------------


def test_no_column_can_hold_a_token(ledger):
    conn = sqlite3.connect(ledger.path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    columns = {c[1] for t in tables for c in conn.execute(f"PRAGMA table_info({t})")}
    conn.close()
    assert not {c for c in columns if any(word in c for word in ("token", "secret", "password", "client"))}
    assert {c for c in columns if "key" in c} == {"api_key_hint", "key_hint"}


def test_the_database_is_private_and_in_wal_mode(ledger):
    assert stat.S_IMODE(ledger.path.stat().st_mode) == 0o600
    conn = sqlite3.connect(ledger.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_second_connection_sees_each_write_at_once(ledger):
    ledger.touch_session(API, "s")
    turn = ledger.open_turn("s", "hi")
    ledger.add_item(turn, "text", "partial answ", complete=False)
    with Ledger(ledger.path) as other:  # as another process would
        (seen,) = other.turns("s")
        assert seen.user_text == "hi" and seen.items[0].body == "partial answ" and not seen.items[0].complete
