"""The one-shot commands of issue #2: ask, credits, status, replay (sessions: commands.ledger)."""

from __future__ import annotations

import argparse
import sys

from nemochat.app.runtime import Runtime
from nemochat.commands.common import run_command, settings_from
from nemochat.errors import UsageError


def ask(args: argparse.Namespace) -> int:
    text = " ".join(args.text).strip()
    if text == "-":
        text = sys.stdin.read().strip()
    if not text:
        raise UsageError("nothing to say: give some text (or - to read it from stdin)")

    async def body(rt: Runtime) -> int:
        if not rt.settings.json and sys.stdin.isatty():
            from nemochat.commands.media import tty_confirm

            rt.conversation.confirm_cancel = tty_confirm  # Ctrl-C during `ask export` asks before cancelling
        await rt.conversation.connect()
        outcome = await rt.conversation.handle(text)
        if rt.settings.yes:
            for action in outcome.actions:
                await rt.conversation.run_action(action)
        return outcome.error.exit_code if outcome.error else 0

    return run_command(args, body)


def credits(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> None:
        await rt.conversation.show_credits()

    return run_command(args, body)


def status(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> None:
        await rt.conversation.show_status()

    return run_command(args, body)


def replay(args: argparse.Namespace) -> int:
    import asyncio

    from nemochat.app.replay import check_recording, replay_file
    from nemochat.app.runtime import make_view

    settings = settings_from(args)
    path = check_recording(args.file)
    view = make_view(settings)
    turn = asyncio.run(replay_file(path, view.emit, still_working_every=settings.still_working_every))
    view.done()
    return 5 if turn.errors else 0
