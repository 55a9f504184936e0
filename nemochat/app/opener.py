"""Opening the last export: the saved file with the system's player, else
its URL, on the desktop when there is one. ``nemochat open`` and the REPL's
``/open`` both use it; whatever a server stored is checked (``openable``)
before anything is launched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nemochat.app.runtime import demo_paths
from nemochat.errors import UsageError
from nemochat.settings import Paths

def open_last_export(paths: Paths, *, launch: bool = True) -> tuple[str, bool]:
    """The last exported file (else its URL), opened with the system's opener
    when there is a display. Returns (what, whether it was opened)."""
    from nemochat.app.export import last_export
    from nemochat.store import ledger_path

    found = last_export(ledger_path(paths), ledger_path(demo_paths(paths)))
    if found is None:
        raise UsageError("Nothing exported yet.", action="Export first: nemochat export (or /export in the chat).", key="open.nothing")
    path, url = found
    target = str(Path(path).resolve()) if path and Path(path).is_file() else url
    if not target:
        raise UsageError("The last exported file is gone and it had no URL.", action="Export again: nemochat export.", key="open.gone")
    if not openable(target):
        from nemochat.core.sanitize import clean_line
        from nemochat.errors import BackendError

        raise BackendError(
            f"Not opening the last export's address: {clean_line(target)[:120]!r} is not a web (http/https) address.",
            code="unsafe_url", action="Export again: nemochat export.", key="open.unsafe", target=repr(clean_line(target)[:120]),
        )
    return target, launch and has_display() and system_open(target)


def openable(target: str) -> bool:
    """Only an http(s) URL (nothing a terminal would not print as it is) or
    an absolute path to a file on disk: a server's ``file://``, ``ssh://``,
    ``--help`` or ``/bin/sh`` never reaches the opener."""
    from nemochat.core.sanitize import clean_line
    from nemochat.settings import is_http_url

    if is_http_url(target):
        return clean_line(target) == target
    return os.path.isabs(target) and os.path.isfile(target) and not os.access(target, os.X_OK)


def has_display() -> bool:
    if sys.platform == "darwin" or os.name == "nt":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def system_open(target: str) -> bool:
    """Hand ``target`` (a path or a URL) to the desktop; False if there is no
    opener. (What a server stored is checked with ``openable`` first.)"""
    if os.name == "nt":
        try:
            os.startfile(target)  # type: ignore[attr-defined]  # (typeshed has it on win32 only; os.name is what tests fake)
        except OSError:
            return False
        return True
    opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if opener is None:
        return False
    try:
        # Detached and silent: the player outlives us and its chatter is not ours to print.
        subprocess.Popen([opener, target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    return True
