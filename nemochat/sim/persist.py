"""The demo's world on disk.

``nemochat --demo`` starts a new simulator (on a new port) for every run, the
REPL's and each one-shot command's; to be one world, as the real backend is,
what the simulator knows (users and their credits, tokens, sessions with
their drafts, uploads, renders, NanoPhoto tasks) is saved as JSON in the
demo's state folder after every request and agent turn, and loaded at the
next start. Media URLs in the saved drafts name the old port: they are moved
to the new one on load. Demos running at once (the REPL in one terminal, a
one-shot command in another) merge what each changed (``WorldFile``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from nemochat.sim.world import Render, Session, SimWorld, Token, Upload, User

FORMAT = 1


class WorldFile:
    """The world at ``path``, shared with any other demo process running now.

    ``sync()`` before each request takes in what the others saved;
    ``save()`` after it (and after an agent turn) merges and writes, under a
    file lock. The merge is three-way, per object (a session, a user, a
    render): what this process changed since it last read the file wins,
    anything else is taken from the file, so a `--demo ask` in one terminal
    and the REPL in another keep each other's sessions and credits."""

    def __init__(self, path: Path) -> None:
        """Built before the world it keeps (the world calls it); ``load`` hands
        it the world once the simulator serves it (its media URLs name the port)."""
        self.path = path
        self._world: SimWorld | None = None
        self.base_url = ""
        self._base: dict[str, Any] = {}  # the file as this process last knew it
        self._lock = threading.Lock()

    @property
    def world(self) -> SimWorld:
        if self._world is None:
            raise RuntimeError("WorldFile.load() first")
        return self._world

    def load(self, world: SimWorld, base_url: str) -> bool:
        """Keep ``world``, served at ``base_url``, from now on; fill it from the file.
        False when there is none (or it can't be read: then it is set aside as
        ``*.bad`` and the world starts fresh)."""
        self._world, self.base_url = world, base_url
        self._base = self._current()
        try:
            saved = self._read()
        except (ValueError, KeyError, TypeError, AttributeError):
            os.replace(self.path, self.path.with_name(self.path.name + ".bad"))
            return False
        if saved is None:
            return False
        with self._lock:
            self._apply(saved)
            self._base = saved
        return True

    def sync(self) -> None:
        if self._world is not None:  # (before ``load`` there is nothing to keep)
            self._merge(write=False)

    def save(self) -> None:
        if self._world is not None:
            self._merge(write=True)

    # -- inside -------------------------------------------------------------------------

    def _merge(self, *, write: bool) -> None:
        with self._lock, _file_lock(self.path, write):
            try:
                disk = self._read()
            except (ValueError, KeyError, TypeError, AttributeError):
                disk = None  # damaged meanwhile: ours replaces it
            mine = self._current()
            merged = mine if disk is None else {
                name: _merge(self._base.get(name, {}), value, disk.get(name, type(value)())) for name, value in mine.items()}
            if merged != mine:  # another demo process changed something
                self._apply(merged)
            if write and self._write(merged):
                self._base = merged
            elif disk is not None:
                self._base = disk  # what our unsaved changes are told apart from

    def _current(self) -> dict[str, Any]:
        """The world as JSON: one collection of objects per name (NanoPhoto's two included)."""
        doc = _world_json(self.world.snapshot())
        kept = self.world.providers.snapshot()
        doc["provider_credits"], doc["provider_tasks"] = kept["credits"], kept["tasks"]
        return doc

    def _apply(self, doc: dict[str, Any]) -> None:
        self.world.restore(_world_parts(doc))
        self.world.providers.restore({"credits": doc.get("provider_credits", {}), "tasks": doc.get("provider_tasks", {})})

    def _read(self) -> dict[str, Any] | None:
        """The file's world, its media moved to this run's port; None when there is none."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        saved = json.loads(text)
        old = saved["base_url"]
        if old != self.base_url:  # the media the drafts point at live on this run's port now
            saved = json.loads(text.replace(json.dumps(old + "/")[1:-1], json.dumps(self.base_url + "/")[1:-1]))
        if saved.get("format") != FORMAT:
            raise ValueError(f"world file format {saved.get('format')!r}")
        return saved["world"]

    def _write(self, doc: dict[str, Any]) -> bool:
        """Atomically (a crash leaves the last whole copy), private to the user; False if it failed."""
        data = json.dumps({"format": FORMAT, "base_url": self.base_url, "world": doc},
                          ensure_ascii=False, separators=(",", ":")).encode()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path)
            return True
        except OSError:  # a full or read-only disk: the demo goes on, unsaved
            tmp.unlink(missing_ok=True)
            return False


def _merge(base: Any, mine: Any, disk: Any) -> Any:
    """One collection, three-way: objects this process changed since ``base``
    are its own; the rest as the file has them; new ones from both sides."""
    if isinstance(mine, list):  # uploads: only ever added to
        return mine + [item for item in disk if item not in mine]
    merged = dict(disk)
    for key, value in mine.items():
        if key not in disk or value != base.get(key):
            merged[key] = value
    return merged


@contextlib.contextmanager
def _file_lock(path: Path, exclusive: bool) -> Iterator[None]:
    """Between demo processes: one writes at a time (no lock where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _world_json(parts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {name: {k: dataclasses.asdict(v) for k, v in parts[name].items()} for name in ("users", "sessions", "renders")}
    out["tokens"] = {k: {**dataclasses.asdict(t), "expires_at": t.expires_at.isoformat()} for k, t in parts["tokens"].items()}
    out["uploads"] = [dataclasses.asdict(u) for u in parts["uploads"]]
    out["client_users"], out["claims"] = parts["client_users"], parts["claims"]
    return out


def _world_parts(saved: dict[str, Any]) -> dict[str, Any]:
    return {
        "users": {k: User(**v) for k, v in saved["users"].items()},
        "sessions": {k: Session(**v) for k, v in saved["sessions"].items()},
        "renders": {k: Render(**v) for k, v in saved["renders"].items()},
        "tokens": {k: Token(**{**v, "expires_at": datetime.fromisoformat(v["expires_at"])}) for k, v in saved["tokens"].items()},
        "uploads": [Upload(**u) for u in saved["uploads"]],
        "client_users": {str(k): str(v) for k, v in saved["client_users"].items()},
        "claims": {str(k): str(v) for k, v in saved["claims"].items()},
    }


def start_saved_simulator(path: Path) -> Any:
    """A simulator serving the world saved at ``path`` (a new one if there is
    none), in step with it as it changes. Returns (RunningSimulator, found)."""
    from nemochat.sim.runner import TIME_SCALE_ENV, start_simulator

    kept = WorldFile(path)
    sim = start_simulator(world=SimWorld(keeper=kept), time_scale=float(os.environ.get(TIME_SCALE_ENV, "1.0")))
    found = kept.load(sim.world, sim.base_url)  # before any client exists: no request can come first
    return sim, found
