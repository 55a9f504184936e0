"""Ids a server hands us (sessions, tasks, renders, uploads, Sora/Veo/gateway
tasks, claim tokens), checked before they are stored or used.

An id goes into URL paths, the ledger, the terminal and the command lines
we suggest. One with ESC, a slash, a space or 100k characters would plant
escapes, walk up a URL path (``../../api/credits``), break every later
command once stored, or swap a link's target. A bad id is one clear error
(exit 5), never stored.
"""

from __future__ import annotations

import re
from typing import Any

from nemochat.errors import BackendError

__all__ = ["MAX_ID_LENGTH", "checked_id", "checked_token", "optional_id"]

MAX_ID_LENGTH = 200
# Letters, digits and the punctuation of UUIDs, prefixed ids (clm_..., task-...)
# and timestamps; not starting with a dot or a dash (no "..", no "--option").
_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@+=~-]*")


def checked_id(value: Any, what: str, who: str = "NemoVideo") -> str:
    """``value`` as an id, or ``BackendError`` naming ``what`` it was meant to be (and ``who`` sent it)."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is not None and len(text) <= MAX_ID_LENGTH and _ID.fullmatch(text):
        return text
    shown = repr(value)[:40] if not isinstance(value, str) else f"{len(value)} characters" if len(value) > 40 else "an id with characters an id never has"
    raise BackendError(
        f"{who} answered something unexpected: {what} is not a usable id ({shown}); nothing was stored",
        code="bad_id",
        action="Try again; if it keeps happening, the server (or --api-base) is not one nemochat can work with.",
        key="bad_id", who=who,
    )


def optional_id(value: Any, what: str, who: str = "NemoVideo") -> str | None:
    """``checked_id`` for a field that may be absent (None or "")."""
    return None if value is None or value == "" else checked_id(value, what, who)


_TOKEN = re.compile(r"[!-~]{1,8192}")  # visible ASCII: it goes into an Authorization header


def checked_token(value: Any, what: str = "the token") -> str:
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    raise BackendError(f"NemoVideo answered something unexpected: {what} is not a usable token; nothing was stored",
                       code="bad_token", action="Try again later, or pass --token.", key="bad_token")
