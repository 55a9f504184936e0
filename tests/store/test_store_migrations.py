"""Schema versions: a database from an earlier nemochat is migrated in place
and keeps its data; one from a newer nemochat is refused, not damaged."""

from __future__ import annotations

import sqlite3

import pytest

from nemochat.store import Ledger, LedgerError
from nemochat.store.schema import CURRENT_VERSION, MIGRATIONS

# The v1 schema exactly as the first release wrote it, by hand: if someone
# edits migration 1 instead of appending a new one, this test notices.
V1 = """
CREATE TABLE backends (api_base TEXT PRIMARY KEY, user_id TEXT, first_used REAL NOT NULL, last_used REAL NOT NULL);
CREATE TABLE sessions (id TEXT PRIMARY KEY, api_base TEXT NOT NULL REFERENCES backends(api_base), task_id TEXT,
    user_id TEXT, language TEXT, title TEXT, created REAL NOT NULL, last_used REAL NOT NULL);
CREATE INDEX sessions_by_backend ON sessions(api_base, last_used);
CREATE TABLE turns (id INTEGER PRIMARY KEY, session TEXT NOT NULL REFERENCES sessions(id), user_text TEXT NOT NULL,
    started REAL NOT NULL, ended REAL, silent INTEGER, error_code TEXT, error TEXT);
CREATE INDEX turns_by_session ON turns(session, id);
CREATE TABLE turn_items (id INTEGER PRIMARY KEY, turn INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, body TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 1, at REAL NOT NULL);
CREATE INDEX items_by_turn ON turn_items(turn, id);
INSERT INTO backends VALUES ('https://api.example', 'anon_1', 10, 20);
INSERT INTO sessions VALUES ('sess-1', 'https://api.example', 'task-1', 'anon_1', 'en', 'rainy Tokyo', 10, 20);
INSERT INTO turns VALUES (1, 'sess-1', 'make a 10s rainy Tokyo clip', 11, 19, 0, NULL, NULL);
INSERT INTO turn_items VALUES (1, 1, 'tool', 'generate_video', 1, 12);
INSERT INTO turn_items VALUES (2, 1, 'text', 'Here is your clip.', 1, 18);
PRAGMA user_version = 1;
"""


def _schema(path) -> dict[str, object]:
    """Every table's columns (name, type, not null, default, key) and every index."""
    conn = sqlite3.connect(path)
    names = conn.execute("SELECT type, name FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").fetchall()
    schema = {name: conn.execute(f"PRAGMA table_info({name})").fetchall() if kind == "table" else kind for kind, name in names}
    conn.close()
    return schema


def test_a_v1_database_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "ledger.db"
    conn = sqlite3.connect(path)
    conn.executescript(V1)
    conn.close()

    with Ledger(path) as ledger:
        session = ledger.last_session("https://api.example")
        assert (session.id, session.task_id, session.title, session.turns) == ("sess-1", "task-1", "rainy Tokyo", 1)
        (turn,) = ledger.turns("sess-1")
        assert turn.user_text == "make a 10s rainy Tokyo clip"
        assert turn.tools == ("generate_video",) and turn.messages == ("Here is your clip.",)
        assert turn.silent is False and turn.changes == () and turn.credits_before is None
        # what v2 added works on the old data
        ledger.set_turn_credits(turn.id, before=100, after=90)
        assert ledger.turn(turn.id).credits_after == 90
        job = ledger.add_job("render", {"id": "render_1"}, session_id="sess-1")
        assert ledger.job(job).session_id == "sess-1"

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION == len(MIGRATIONS)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_migrating_gives_the_same_schema_as_a_new_database(tmp_path):
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    conn = sqlite3.connect(old)
    conn.executescript(V1)
    conn.close()
    Ledger(old).close()
    Ledger(new).close()
    assert _schema(old) == _schema(new)


def test_opening_twice_migrates_once(tmp_path):
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    with Ledger(path) as again:
        again.touch_session("https://api.example", "s")
        assert again.last_session("https://api.example").id == "s"


def test_a_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="newer"):
        Ledger(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "ledger.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="cannot open the ledger"):
        Ledger(path)
