"""Who we are to NemoVideo: the client id and the cached anonymous token.

The client id is the file NemoVideo's own skills use, so a user keeps one
identity across tools. The token (7 days, 100 credits) is cached with its
expiry in a 0600 file per backend; anonymous tokens are rate-limited to one per
client per 7 days, so losing it costs the user.

Several first runs at once must not each make a client id or ask for a
token: both are created under a file lock (``filelock``: fcntl on POSIX,
msvcrt on Windows), and the file is read again once the lock is held.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemochat.private_files import write_private

if TYPE_CHECKING:
    import filelock

EXPIRY_MARGIN = 300.0  # renew a little early rather than fail mid-turn


@dataclass(frozen=True)
class CachedToken:
    token: str
    user_id: str | None
    expires_at: float  # epoch seconds

    def valid(self, now: float) -> bool:
        return now < self.expires_at - EXPIRY_MARGIN


def load_or_create_client_id(config_dir: Path, override: str | None = None, *, lock_wait: float = 60.0) -> str:
    if override:
        return override
    existing = _read_client_id(config_dir)
    if existing:
        return existing
    config_dir.mkdir(parents=True, exist_ok=True)
    with _lock(config_dir / ".client_id.lock", lock_wait):
        return _read_client_id(config_dir) or _write_client_id(config_dir)  # another run may have made it


def new_client_id(config_dir: Path, *, lock_wait: float = 60.0) -> str:
    """A fresh UUID, persisted (the server refused or lacked the old one)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    with _lock(config_dir / ".client_id.lock", lock_wait):
        return _write_client_id(config_dir)


def token_lock(cache_file: Path, lock_wait: float) -> filelock.AsyncFileLock:
    """Held while a token is asked for, so concurrent runs ask once; the
    others find it in the cache. ``async with`` it; waits in a thread."""
    import filelock

    cache_file.parent.mkdir(parents=True, exist_ok=True)
    return filelock.AsyncFileLock(cache_file.with_name(f".{cache_file.name}.lock"), timeout=lock_wait)  # empty: no mode needed


def _lock(path: Path, lock_wait: float) -> filelock.FileLock:
    import filelock

    return filelock.FileLock(path, timeout=lock_wait)


def _read_client_id(config_dir: Path) -> str:
    try:
        return (config_dir / "client_id").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def _write_client_id(config_dir: Path) -> str:
    client_id = str(uuid.uuid4())
    write_private(config_dir / "client_id", client_id + "\n")
    return client_id


def load_token(cache_file: Path, api_base: str, client_id: str, now: float | None = None) -> CachedToken | None:
    entries = _read_json(cache_file)
    raw = entries.get(_key(api_base, client_id))
    if not isinstance(raw, dict) or not isinstance(raw.get("token"), str):
        return None
    cached = CachedToken(raw["token"], raw.get("user_id"), float(raw.get("expires_at") or 0))
    return cached if cached.valid(time.time() if now is None else now) else None


def store_token(cache_file: Path, api_base: str, client_id: str, token: CachedToken) -> None:
    entries = _read_json(cache_file)
    entries[_key(api_base, client_id)] = {"token": token.token, "user_id": token.user_id, "expires_at": token.expires_at}
    write_private(cache_file, json.dumps(entries, indent=1))


def forget_token(cache_file: Path, api_base: str, client_id: str) -> None:
    entries = _read_json(cache_file)
    if entries.pop(_key(api_base, client_id), None) is not None:
        write_private(cache_file, json.dumps(entries, indent=1))


def parse_expiry(value: object, now: float) -> float:
    """``expires_at`` as ISO-8601 or epoch seconds/ms; unknown → 7 days."""
    if isinstance(value, (int, float)):
        return float(value) / (1000.0 if value > 1e11 else 1.0)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return now + 7 * 86400


def _key(api_base: str, client_id: str) -> str:
    return f"{api_base.rstrip('/')}|{client_id}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
