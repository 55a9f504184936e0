"""Helpers for the ledger tests (importable: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path


class RecordingView:
    """The view interface, keeping what it is asked to show."""

    def __init__(self) -> None:
        self.events: list = []
        self.errors: list = []

    def emit(self, event) -> None:
        self.events.append(event)

    def error(self, error) -> None:
        self.errors.append(error)

    def done(self) -> None:
        pass

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def db_bytes(path: Path) -> bytes:
    """The database as it sits on disk, write-ahead log included."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
