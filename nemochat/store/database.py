"""The ledger's SQLite file, opened to be shared: private to the user (0600),
WAL, a busy timeout, and migrated to the current schema (``schema.py``).
Any failure to open it is one ``LedgerError`` that says what to do.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from nemochat.errors import NemochatError
from nemochat.store.schema import SchemaTooNew, migrate

BUSY_TIMEOUT_S = 15.0


class LedgerError(NemochatError):
    """The ledger cannot be opened (newer schema, unreadable file, a read-only
    or full disk...): a problem of this machine's files, said in one line."""

    exit_code = 2

SCRATCH = Path(":memory:")  # a ledger for this run only, when the real one cannot be used


def open_database(path: Path) -> sqlite3.Connection:
    """Connected and migrated; any failure is one ``LedgerError`` that says what to do."""
    conn = None
    try:
        conn = _connect(path)
        migrate(conn)
        return conn
    except (SchemaTooNew, sqlite3.DatabaseError, OSError) as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, SchemaTooNew):
            raise LedgerError(f"{path}: {exc}", action="Upgrade nemochat to read it.", key="ledger.too_new", path=path, found=exc.found, ours=exc.ours) from None
        if isinstance(exc, OSError):
            raise LedgerError(f"cannot open the ledger {path}: {exc.strerror}", action="Make its folder writable, or free some space.",
                              key="ledger.unwritable", path=path, reason=exc.strerror) from None
        raise LedgerError(
            f"cannot open the ledger {path}: {exc}", action="Check that its disk is not full or read-only, else move the file away to start a new one.",
            key="ledger.broken", path=path, reason=exc,
        ) from None


def _connect(path: Path) -> sqlite3.Connection:
    if path != SCRATCH and not path.exists():  # the transcripts are private: 0600 before SQLite writes a byte
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: safe against a killed process
    conn.execute("PRAGMA foreign_keys = ON")
    return conn
