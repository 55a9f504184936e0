"""Which sessions this machine has used, per backend: a small JSON file.

Enough to resume the last session by default and to list sessions; the
SQLite ledger (transcripts, jobs) builds on the same facts.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from nemochat.clients.auth import write_private


@dataclass(frozen=True)
class KnownSession:
    api_base: str
    session_id: str
    task_id: str | None
    user_id: str | None
    created: float
    last_used: float
    title: str | None = None


class SessionMemory:
    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self, api_base: str | None = None) -> list[KnownSession]:
        """Newest first; only those of ``api_base`` when given."""
        sessions = [s for s in self._read() if api_base is None or s.api_base == _norm(api_base)]
        return sorted(sessions, key=lambda s: s.last_used, reverse=True)

    def last(self, api_base: str) -> KnownSession | None:
        sessions = self.all(api_base)
        return sessions[0] if sessions else None

    def find(self, api_base: str, session_id: str) -> KnownSession | None:
        return next((s for s in self.all(api_base) if s.session_id == session_id), None)

    def touch(self, api_base: str, session_id: str, *, task_id: str | None = None, user_id: str | None = None, now: float | None = None) -> None:
        now = time.time() if now is None else now
        sessions = self._read()
        old = next((s for s in sessions if s.api_base == _norm(api_base) and s.session_id == session_id), None)
        sessions = [s for s in sessions if s is not old]
        sessions.append(
            KnownSession(
                _norm(api_base),
                session_id,
                task_id or (old.task_id if old else None),
                user_id or (old.user_id if old else None),
                old.created if old else now,
                now,
                old.title if old else None,
            )
        )
        write_private(self.path, json.dumps([asdict(s) for s in sessions], indent=1))

    def _read(self) -> list[KnownSession]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return []
        out = []
        for item in raw if isinstance(raw, list) else ():
            try:
                out.append(KnownSession(**item))
            except TypeError:
                continue
        return out


def _norm(api_base: str) -> str:
    return api_base.rstrip("/")
