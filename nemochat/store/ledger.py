"""The ledger: one SQLite database with every session, turn and job.

Several nemochat processes may share it (a REPL, an ``ask`` in another
terminal, a Sora job being polled), so: WAL (readers never block the writer),
a busy timeout (a writer waits its turn instead of failing), and every write
its own short ``BEGIN IMMEDIATE`` transaction (the lock is taken up front, so
two writers never deadlock upgrading a read lock). Each write is committed at
once: a process killed mid-turn leaves everything it had received.

Tokens, API keys and client ids are never written: no column holds them, and
job parameters are scrubbed of anything that looks like a credential.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nemochat.core.said_json import said_from_json, said_to_json
from nemochat.core.secrets import hide
from nemochat.core.texts import Said
from nemochat.store.database import SCRATCH, LedgerError, open_database
from nemochat.store.records import JOB_KINDS, FINAL_STATUSES, JobRecord, SessionRecord, TurnItem, TurnRecord, task_id_strings

ITEM_KINDS = ("text", "tool", "thought", "question")
TITLE_LENGTH = 60
_SECRET_KEY = re.compile(r"(?i)api[_-]?key|^key$|token|secret|password|authorization|bearer|client[_-]?id")
_VIDEO_URL = re.compile(r"https?://\S+?\.(?:mp4|mov|webm|mkv)\b")


def ledger_path(paths: Any) -> Path:
    """Where the ledger of these ``Paths`` lives."""
    return Path(paths.data) / "ledger.db"


def open_or_scratch(path: Path, warn: Callable[[str], None]) -> Ledger:
    """The ledger at ``path``; if it cannot be opened (corrupt, read-only, a
    full disk), one in memory for this run, and a warning: what does not
    need the history (credits, status, ask...) still works."""
    try:
        return Ledger(path)
    except LedgerError as bad:
        warn(Said.of("ledger.scratch", error=bad))
        return Ledger(SCRATCH)


class Ledger:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()  # one connection, maybe shared by threads (asyncio.to_thread)
        self._depth = 0  # writes nested in a batch() join its transaction
        self._conn = open_database(self.path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sessions ---------------------------------------------------------------------

    def touch_session(
        self,
        api_base: str,
        session_id: str,
        *,
        task_id: str | None = None,
        user_id: str | None = None,
        language: str | None = None,
    ) -> None:
        """Record that ``session_id`` of ``api_base`` is in use now (known fields kept)."""
        now, api = self.clock(), _norm(api_base)
        with self._write() as db:
            db.execute(
                "INSERT INTO backends (api_base, user_id, first_used, last_used) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (api_base) DO UPDATE SET last_used = excluded.last_used, user_id = COALESCE(excluded.user_id, user_id)",
                (api, user_id, now, now),
            )
            db.execute(
                "INSERT INTO sessions (id, api_base, task_id, user_id, language, created, last_used) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET last_used = excluded.last_used, api_base = excluded.api_base, "
                "task_id = COALESCE(excluded.task_id, task_id), user_id = COALESCE(excluded.user_id, user_id), "
                "language = COALESCE(excluded.language, language)",
                (session_id, api, task_id, user_id, language, now, now),
            )

    def last_session(self, api_base: str) -> SessionRecord | None:
        found = self.sessions(api_base=api_base, limit=1)
        return found[0] if found else None

    def find_session(self, session_id: str, api_base: str | None = None) -> SessionRecord | None:
        """The session with this id, or the only one whose id starts with it."""
        where, args = ("AND api_base = ?", [_norm(api_base)]) if api_base else ("", [])
        with self._read() as db:
            rows = db.execute(f"SELECT * FROM sessions WHERE id = ? {where}", [session_id, *args]).fetchall()
            if not rows and session_id:
                like = session_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = db.execute(f"SELECT * FROM sessions WHERE id LIKE ? ESCAPE '\\' {where} LIMIT 2", [like, *args]).fetchall()
            return self._session(db, rows[0]) if len(rows) == 1 else None

    def sessions(self, *, api_base: str | None = None, limit: int | None = 50) -> list[SessionRecord]:
        """Newest (last used) first."""
        where, args = ("WHERE api_base = ?", [_norm(api_base)]) if api_base else ("", [])
        with self._read() as db:
            rows = db.execute(f"SELECT * FROM sessions {where} ORDER BY last_used DESC, rowid DESC LIMIT ?", [*args, -1 if limit is None else limit])
            return [self._session(db, row) for row in rows.fetchall()]

    # -- turns --------------------------------------------------------------------------

    def open_turn(self, session_id: str, user_text: str, *, credits_before: float | None = None) -> int:
        """A new turn with the user's words; the session must be known (``touch_session``)."""
        now = self.clock()
        with self._write() as db:
            turn = db.execute(
                "INSERT INTO turns (session, user_text, started, credits_before) VALUES (?, ?, ?, ?)",
                (session_id, user_text, now, credits_before),
            ).lastrowid
            db.execute(
                "UPDATE sessions SET last_used = ?, title = COALESCE(title, ?) WHERE id = ?",
                (now, _title(user_text), session_id),
            )
        return _row_id(turn)

    def add_item(self, turn_id: int, kind: str, body: str, *, complete: bool = True) -> int:
        if kind not in ITEM_KINDS:
            raise ValueError(f"unknown turn item kind {kind!r}")
        with self._write() as db:
            return _row_id(db.execute(
                "INSERT INTO turn_items (turn, kind, body, complete, at) VALUES (?, ?, ?, ?, ?)",
                (turn_id, kind, hide(body), int(complete), self.clock()),  # no key a server echoed is stored
            ).lastrowid)

    def extend_item(self, item_id: int, more: str) -> None:
        """Append a streamed piece to a text still arriving."""
        with self._write() as db:
            db.execute("UPDATE turn_items SET body = body || ?, at = ? WHERE id = ?", (hide(more), self.clock(), item_id))

    def set_item(self, item_id: int, body: str, *, complete: bool) -> None:
        with self._write() as db:
            db.execute("UPDATE turn_items SET body = ?, complete = ?, at = ? WHERE id = ?", (hide(body), int(complete), self.clock(), item_id))

    def drop_item(self, item_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM turn_items WHERE id = ?", (item_id,))

    def set_turn_error(self, turn_id: int, code: str | None, message: str) -> None:
        with self._write() as db:  # the first error is the one that matters
            db.execute("UPDATE turns SET error_code = ?, error = ? WHERE id = ? AND error IS NULL", (code, hide(message), turn_id))

    def set_turn_changes(self, turn_id: int, lines: tuple[str, ...] | list[str]) -> None:
        with self._write() as db:
            db.execute("UPDATE turns SET changes = ? WHERE id = ?", (_dumps([said_to_json(line) for line in lines]), turn_id))

    def set_turn_credits(self, turn_id: int, *, before: float | None = None, after: float | None = None) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE turns SET credits_before = COALESCE(?, credits_before), credits_after = COALESCE(?, credits_after) WHERE id = ?",
                (before, after, turn_id),
            )

    def finish_turn(self, turn_id: int, *, silent: bool | None) -> None:
        now = self.clock()
        with self._write() as db:
            db.execute("UPDATE turns SET ended = ?, silent = ? WHERE id = ? AND ended IS NULL", (now, None if silent is None else int(silent), turn_id))
            db.execute("UPDATE sessions SET last_used = ? WHERE id = (SELECT session FROM turns WHERE id = ?)", (now, turn_id))

    def turns(self, session_id: str, *, last: int | None = None) -> list[TurnRecord]:
        """The session's turns, oldest first (only the ``last`` N when given)."""
        with self._read() as db:
            rows = db.execute(
                "SELECT * FROM (SELECT * FROM turns WHERE session = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                (session_id, -1 if last is None else last),
            ).fetchall()
            return [self._turn(db, row) for row in rows]

    def turn(self, turn_id: int) -> TurnRecord | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM turns WHERE id = ?", (turn_id,)).fetchone()
            return self._turn(db, row) if row else None

    # -- jobs (renders, Sora 2, Veo 3.1, gateway) ----------------------------------------

    def add_job(self, kind: str, params: dict, *, session_id: str | None = None, api_key_hint: str | None = None) -> int:
        """Write the job down BEFORE the paid request goes out: a crash between
        the submit and its answer still leaves a trace of the spending."""
        if kind not in JOB_KINDS:
            raise ValueError(f"unknown job kind {kind!r} (one of {', '.join(JOB_KINDS)})")
        now = self.clock()
        with self._write() as db:
            return _row_id(db.execute(
                "INSERT INTO jobs (kind, session, api_key_hint, params, status, created, updated) VALUES (?, ?, ?, ?, 'created', ?, ?)",
                (kind, session_id, _hint(api_key_hint), _dumps(scrub(params)), now, now),
            ).lastrowid)

    def set_job_task(self, job_id: int, task_ids: dict | str) -> None:
        """The provider's task id(s), once the submit answered; the job is then ``submitted``."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET task_ids = ?, status = CASE status WHEN 'created' THEN 'submitted' ELSE status END, updated = ? WHERE id = ?",
                (_dumps(task_ids), self.clock(), job_id),
            )
            db.execute("DELETE FROM job_tasks WHERE job = ?", (job_id,))
            db.executemany("INSERT INTO job_tasks (task_id, job) VALUES (?, ?)", [(t, job_id) for t in task_id_strings(task_ids)])

    def update_job(
        self,
        job_id: int,
        *,
        status: str | None = None,
        url: str | None = None,
        local_file: str | None = None,
        error: str | None = None,
        credits_used: float | None = None,
    ) -> None:
        """Set what is given; ``url`` and ``local_file`` add to the job's lists."""
        with self._write() as db:
            row = db.execute("SELECT urls, local_files FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise KeyError(f"no job {job_id}")
            urls, files = _append(row["urls"], url), _append(row["local_files"], local_file)
            db.execute(
                "UPDATE jobs SET status = COALESCE(?, status), urls = ?, local_files = ?, error = COALESCE(?, error), "
                "credits_used = COALESCE(?, credits_used), updated = ? WHERE id = ?",
                (status.lower() if status else None, urls, files, error and hide(error), credits_used, self.clock(), job_id),
            )

    def jobs(self, *, kind: str | None = None, open_only: bool = False, limit: int = 50, session_id: str | None = None) -> list[JobRecord]:
        """Newest first."""
        clauses: list[str] = []
        args: list[object] = []
        if kind:
            clauses, args = clauses + ["kind = ?"], args + [kind]
        if session_id:
            clauses, args = clauses + ["session = ?"], args + [session_id]
        if open_only:
            clauses.append(f"status NOT IN ({', '.join('?' * len(FINAL_STATUSES))})")
            args += sorted(FINAL_STATUSES)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read() as db:
            rows = db.execute(f"SELECT * FROM jobs {where} ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        return [_job(row) for row in rows]

    def job(self, job_id: int) -> JobRecord | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def job_by_task(self, task_id: str) -> JobRecord | None:
        with self._read() as db:
            row = db.execute(
                "SELECT jobs.* FROM job_tasks JOIN jobs ON jobs.id = job_tasks.job WHERE task_id = ? ORDER BY jobs.id DESC LIMIT 1", (task_id,)
            ).fetchone()
        return _job(row) if row else None

    # -- the NanoPhoto request budget (100 requests/hour per key, across processes) ------------

    def count_requests(self, key_hint: str, since: float) -> int:
        with self._read() as db:
            return int(db.execute("SELECT COUNT(*) FROM requests WHERE key_hint = ? AND at >= ?", (key_hint, since)).fetchone()[0])

    def log_request(self, key_hint: str, at: float) -> None:
        with self._write() as db:
            db.execute("INSERT INTO requests (key_hint, at) VALUES (?, ?)", (key_hint, at))
            db.execute("DELETE FROM requests WHERE key_hint = ? AND at < ?", (key_hint, at - 86400))  # older than any window

    def reserve_request(self, key_hint: str, at: float, *, limit: int, window: float = 3600.0) -> bool:
        """Count and log in one transaction: True if the request fits the budget
        (and is now counted), False if it would exceed it."""
        with self._write() as db:
            used = db.execute("SELECT COUNT(*) FROM requests WHERE key_hint = ? AND at >= ?", (key_hint, at - window)).fetchone()[0]
            if used >= limit:
                return False
            db.execute("INSERT INTO requests (key_hint, at) VALUES (?, ?)", (key_hint, at))
            return True

    # -- plumbing ---------------------------------------------------------------------------

    def batch(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """Several writes as one transaction (one commit instead of many): the
        recorder's burst of streamed text. Still short: nothing waits inside."""
        return self._write()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._depth:  # inside batch(): part of its transaction
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            self._conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:  # one snapshot for reads made of several queries
            if self._depth:  # inside a write: it already is one
                yield self._conn
                return
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def _session(self, db: sqlite3.Connection, row: sqlite3.Row) -> SessionRecord:
        turns = db.execute("SELECT COUNT(*) FROM turns WHERE session = ?", (row["id"],)).fetchone()[0]
        return SessionRecord(
            row["id"], row["api_base"], row["task_id"], row["user_id"], row["language"], row["title"],
            row["created"], row["last_used"], int(turns), _last_video(db, row["id"]),
        )  # fmt: skip

    def _turn(self, db: sqlite3.Connection, row: sqlite3.Row) -> TurnRecord:
        items = db.execute("SELECT kind, body, complete, at FROM turn_items WHERE turn = ? ORDER BY id", (row["id"],))
        return TurnRecord(
            row["id"], row["session"], row["user_text"], row["started"], row["ended"],
            None if row["silent"] is None else bool(row["silent"]), row["error_code"], row["error"],
            tuple(str_line(said_from_json(c)) for c in _loads(row["changes"]) or ()), row["credits_before"], row["credits_after"],
            tuple(TurnItem(i["kind"], i["body"], bool(i["complete"]), i["at"]) for i in items),
        )  # fmt: skip


def _last_video(db: sqlite3.Connection, session_id: str) -> str | None:
    for row in db.execute("SELECT urls, local_files FROM jobs WHERE session = ? ORDER BY id DESC", (session_id,)):
        files, urls = _loads(row["local_files"]) or [], _loads(row["urls"]) or []
        if files or urls:
            return (files or urls)[-1]
    texts = db.execute(
        "SELECT body FROM turn_items JOIN turns ON turns.id = turn_items.turn "
        "WHERE turns.session = ? AND kind = 'text' AND body LIKE '%http%' ORDER BY turn_items.id DESC",
        (session_id,),
    )
    for row in texts:
        found = _VIDEO_URL.findall(row["body"])
        if found:
            return found[-1]
    return None


def _row_id(row_id: int | None) -> int:
    """The id of the row an INSERT just wrote (sqlite3 types ``lastrowid`` as
    optional: it is None only for a statement that wrote no row)."""
    if row_id is None:
        raise LedgerError("the ledger wrote no row", key="ledger.no_row")
    return row_id


def _job(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        row["id"], row["kind"], row["session"], row["api_key_hint"], _loads(row["task_ids"]), _loads(row["params"]) or {},
        row["status"], tuple(_loads(row["urls"]) or ()), tuple(_loads(row["local_files"]) or ()), row["error"],
        row["credits_used"], row["created"], row["updated"],
    )  # fmt: skip


def scrub(value: Any) -> Any:
    """Job parameters without anything named like a credential."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def _hint(api_key_hint: str | None) -> str | None:
    # A hint is meant to be the key's last few characters; never keep more than 4.
    return api_key_hint[-4:] if api_key_hint else None


def _append(raw: str, value: str | None) -> str:
    items = _loads(raw) or []
    if value and value not in items:
        items.append(value)
    return _dumps(items)


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def _norm(api_base: str | None) -> str:
    return (api_base or "").rstrip("/")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def str_line(value: object) -> str:
    """A stored line as one string (a ``Said`` stays one; a damaged row's list is joined)."""
    return value if isinstance(value, str) else "; ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _loads(raw: str | None) -> Any:
    return json.loads(raw) if raw else None
