"""The demo's world on disk.

``nemochat --demo`` starts a new simulator (on a new port) for every run, the
REPL's and each one-shot command's; to be one world, as the real backend is,
what the simulator knows (users and their credits, tokens, sessions with
their drafts, uploads, renders, NanoPhoto tasks) is saved as JSON in the
demo's state folder after every request and agent turn, and loaded at the
next start. Media URLs in the saved drafts name the old port: they are moved
to the new one on load. Two demos running at once each save their own view;
the last to write wins.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from nemochat.sim.world import Render, Session, SimWorld, Token, Upload, User

FORMAT = 1


def load(path: Path, world: SimWorld, base_url: str) -> bool:
    """Fill ``world`` from ``path``; False when there is none (or it can't be
    read: then it is set aside as ``*.bad`` and the world starts fresh)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    try:
        saved = json.loads(text)
        old = saved["base_url"]
        if old != base_url:  # the media the drafts point at live on this run's port now
            saved = json.loads(text.replace(json.dumps(old + "/")[1:-1], json.dumps(base_url + "/")[1:-1]))
        world.restore(_world_parts(saved["world"]))
        providers = getattr(world, "providers", None)
        if providers is not None and "providers" in saved:
            providers.restore(saved["providers"])
        return True
    except (ValueError, KeyError, TypeError, AttributeError):
        os.replace(path, path.with_name(path.name + ".bad"))
        return False


def saver(path: Path, world: SimWorld, base_url: str) -> Callable[[], None]:
    """``save()``: write the world now, atomically (a crash leaves the last
    whole copy), private to the user."""
    lock = threading.Lock()

    def save() -> None:
        parts = world.snapshot()
        providers = getattr(world, "providers", None)
        doc = {"format": FORMAT, "base_url": base_url, "world": _world_json(parts),
               **({"providers": providers.snapshot()} if providers is not None else {})}
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        with lock:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, path)
            except OSError:  # a full or read-only disk: the demo goes on, unsaved
                tmp.unlink(missing_ok=True)

    return save


def _world_json(parts: dict[str, Any]) -> dict[str, Any]:
    out = {name: {k: dataclasses.asdict(v) for k, v in parts[name].items()} for name in ("users", "sessions", "renders")}
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
    none), saving it back as it changes. Returns (RunningSimulator, found)."""
    from nemochat.sim.runner import TIME_SCALE_ENV, start_simulator

    sim = start_simulator(world=SimWorld(), time_scale=float(os.environ.get(TIME_SCALE_ENV, "1.0")))
    found = load(path, sim.world, sim.base_url)  # before any client exists: no request can come first
    sim.world.on_change = saver(path, sim.world, sim.base_url)
    return sim, found
