"""`nemochat export`, `nemochat upload` and `nemochat open`.

The flows live in nemochat.app (export, upload, opener); this module adds
what only a terminal has: the Ctrl-C question.
"""

from __future__ import annotations

import argparse

from nemochat.app.opener import open_last_export
from nemochat.app.runtime import Runtime, make_view
from nemochat.commands.common import run_command, settings_from, tty_confirm
from nemochat.core.ui_events import Notice
from nemochat.errors import NemochatError
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
        view.emit(Notice(f"Opened {target}", key="open.opened", values=(("target", target),)))
    else:
        print(target)  # no display: the path (or URL) is the answer
    view.done()
    return 0
