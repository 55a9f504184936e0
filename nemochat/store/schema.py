"""The ledger's schema: an ordered list of migrations, one per version.

``PRAGMA user_version`` says how many have run. A migration is only ever
appended, never edited: a user's database may be at any earlier version.
Nothing here has a column for a token, a key or a client id.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # v1: sessions and what was said in them
    (
        """CREATE TABLE backends (
            api_base   TEXT PRIMARY KEY,
            user_id    TEXT,
            first_used REAL NOT NULL,
            last_used  REAL NOT NULL
        )""",
        """CREATE TABLE sessions (
            id        TEXT PRIMARY KEY,
            api_base  TEXT NOT NULL REFERENCES backends(api_base),
            task_id   TEXT,
            user_id   TEXT,
            language  TEXT,
            title     TEXT,
            created   REAL NOT NULL,
            last_used REAL NOT NULL
        )""",
        "CREATE INDEX sessions_by_backend ON sessions(api_base, last_used)",
        """CREATE TABLE turns (
            id         INTEGER PRIMARY KEY,
            session    TEXT NOT NULL REFERENCES sessions(id),
            user_text  TEXT NOT NULL,
            started    REAL NOT NULL,
            ended      REAL,
            silent     INTEGER,
            error_code TEXT,
            error      TEXT
        )""",
        "CREATE INDEX turns_by_session ON turns(session, id)",
        # what the agent did, in order: text (complete=0 while it streams), tool, thought, question
        """CREATE TABLE turn_items (
            id       INTEGER PRIMARY KEY,
            turn     INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            kind     TEXT NOT NULL,
            body     TEXT NOT NULL,
            complete INTEGER NOT NULL DEFAULT 1,
            at       REAL NOT NULL
        )""",
        "CREATE INDEX items_by_turn ON turn_items(turn, id)",
    ),
    # v2: what a turn changed and cost; jobs (renders, Sora/Veo, gateway); the NanoPhoto request budget
    (
        "ALTER TABLE turns ADD COLUMN changes TEXT",  # JSON list of lines (a silent turn's diff)
        "ALTER TABLE turns ADD COLUMN credits_before REAL",
        "ALTER TABLE turns ADD COLUMN credits_after REAL",
        """CREATE TABLE jobs (
            id           INTEGER PRIMARY KEY,
            kind         TEXT NOT NULL,
            session      TEXT,
            api_key_hint TEXT,
            task_ids     TEXT,
            params       TEXT NOT NULL,
            status       TEXT NOT NULL,
            urls         TEXT NOT NULL DEFAULT '[]',
            local_files  TEXT NOT NULL DEFAULT '[]',
            error        TEXT,
            credits_used REAL,
            created      REAL NOT NULL,
            updated      REAL NOT NULL
        )""",
        "CREATE INDEX jobs_by_session ON jobs(session, id)",
        """CREATE TABLE job_tasks (
            task_id TEXT NOT NULL,
            job     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE
        )""",
        "CREATE INDEX job_tasks_by_task ON job_tasks(task_id)",
        "CREATE TABLE requests (key_hint TEXT NOT NULL, at REAL NOT NULL)",
        "CREATE INDEX requests_by_key ON requests(key_hint, at)",
    ),
)

CURRENT_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The database was written by a newer nemochat."""

    def __init__(self, found: int, ours: int) -> None:
        super().__init__(f"ledger schema v{found} is newer than this nemochat (v{ours})")
        self.found, self.ours = found, ours


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to ``CURRENT_VERSION``; returns the version found.

    ``conn`` must be in autocommit mode. The write lock is taken first and the
    version read again under it, so two processes opening a new database at
    once run each migration exactly once."""
    found = version_of(conn)
    if found > CURRENT_VERSION:
        raise SchemaTooNew(found, CURRENT_VERSION)
    if found == CURRENT_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = version_of(conn)
        for statements in MIGRATIONS[found:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {CURRENT_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
