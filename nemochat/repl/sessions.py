"""Known sessions and past exchanges, from whatever store this install has.

The SQLite ledger (``nemochat.store``) is preferred; the older JSON session
memory is the fallback. Every read is best-effort: a broken store must never
stop the REPL, so failures read as "nothing known".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nemochat.core.sanitize import clean_line


@dataclass(frozen=True)
class KnownSession:
    session_id: str
    title: str | None
    last_used: float

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.last_used).strftime("%Y-%m-%d %H:%M") if self.last_used else ""
        return " · ".join(part for part in (clean_line(self.title or ""), when) if part)


def _ledger(rt: Any) -> Any:
    ledger = getattr(rt, "ledger", None)
    if ledger is not None:
        return ledger
    from nemochat.store import Ledger, ledger_path

    path = ledger_path(rt.paths)
    return Ledger(path) if path.exists() else None


def known_sessions(rt: Any, limit: int = 30) -> list[KnownSession]:
    """This backend's sessions, newest first."""
    api_base = rt.conversation.settings.backend
    try:
        ledger = _ledger(rt)
        if ledger is not None:
            found = [KnownSession(s.id, s.title, s.last_used) for s in ledger.sessions(api_base=api_base, limit=limit)]
            if found:
                return found
    except Exception:
        pass
    try:
        memory = rt.conversation.memory
        return [KnownSession(s.session_id, s.title, s.last_used) for s in memory.all(api_base)[:limit]]
    except Exception:
        return []


def recap(rt: Any, session_id: str, last: int = 3) -> str | None:
    """A few lines on where a session left off, when its turns were recorded."""
    try:
        ledger = _ledger(rt)
        if ledger is None:
            return None
        turns = ledger.turns(session_id, last=last)
        if not turns:
            return None
        from nemochat.store.transcript import recap as render_recap

        return render_recap(turns, rt.conversation.settings.lang)
    except Exception:
        return None


def resolve(rt: Any, wanted: str) -> str:
    """A full session id for what the user typed (a unique prefix works)."""
    matches = [s.session_id for s in known_sessions(rt, limit=200) if s.session_id.startswith(wanted)]
    return matches[0] if len(matches) == 1 else wanted
