"""`nemochat export`, `nemochat upload` and `nemochat open`.

The flows live in nemochat.app (export, upload); this module adds what only
a terminal has: the Ctrl-C question and the system's file opener.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nemochat.app.runtime import Runtime, demo_paths, make_view
from nemochat.commands.common import run_command, settings_from, tty_confirm
from nemochat.core.ui_events import Notice
from nemochat.errors import NemochatError, UsageError
from nemochat.settings import Paths


def export(args: argparse.Namespace) -> int:
    from nemochat.app.export import ExportOptions

    options = ExportOptions(
        output=args.output, format=args.format, quality=args.quality, force=args.force, render_id=args.render_id
    )

    async def body(rt: Runtime) -> None:
        await rt.conversation.export(options, confirm_cancel=None if rt.settings.json else tty_confirm())

    return run_command(args, body)


def upload(args: argparse.Namespace) -> int:
    from nemochat.app.upload import upload_items

    async def body(rt: Runtime) -> None:
        await upload_items(rt.conversation, args.items)

    return run_command(args, body)


def open_last(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    view = make_view(settings)
    paths = Paths.default()
    try:
        target, opened = open_last_export(paths, launch=not settings.json)
    except NemochatError as error:  # nothing exported, or an address not to open
        view.error(error)
        return error.exit_code
    if settings.json:
        view.emit(Notice(target))
    elif opened:
        view.emit(Notice(f"Opened {target}"))
    else:
        print(target)  # no display: the path (or URL) is the answer
    view.done()
    return 0


# -- opening the last export ------------------------------------------------------------


def open_last_export(paths: Paths, *, launch: bool = True) -> tuple[str, bool]:
    """The last exported file (else its URL), opened with the system's opener
    when there is a display. Returns (what, whether it was opened)."""
    from nemochat.app.export import last_export
    from nemochat.store import ledger_path

    found = last_export(ledger_path(paths), ledger_path(demo_paths(paths)))
    if found is None:
        raise UsageError("Nothing exported yet.", action="Export first: nemochat export (or /export in the chat).")
    path, url = found
    target = str(Path(path).resolve()) if path and Path(path).is_file() else url
    if not target:
        raise UsageError("The last exported file is gone and it had no URL.", action="Export again: nemochat export.")
    if not openable(target):
        from nemochat.core.sanitize import clean_line
        from nemochat.errors import BackendError

        raise BackendError(
            f"Not opening the last export's address: {clean_line(target)[:120]!r} is not a web (http/https) address.",
            code="unsafe_url", action="Export again: nemochat export.",
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
            os.startfile(target)  # type: ignore[attr-defined]
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
