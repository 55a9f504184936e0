"""Helpers for the ledger tests (importable: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path


class Clock:
    """A clock the test moves by hand: ordering without sleeping. Each
    reading is ``step`` seconds after the one before."""

    def __init__(self, step: float = 1.0) -> None:
        self.now = 1_700_000_000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def db_bytes(path: Path) -> bytes:
    """The database as it sits on disk, write-ahead log included."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
