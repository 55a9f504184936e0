"""`nemochat` with no command: the interactive REPL.

It needs a terminal on both ends; scripts use `nemochat ask` (and `--json`),
so `--json` here is refused with exit 2. Leaving with /quit or Ctrl-D is
exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from nemochat.commands.common import settings_from
from nemochat.settings import Paths, Settings


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.json:
        print("nemochat: the chat is for people; with --json use a command, e.g. nemochat --json ask TEXT", file=sys.stderr)
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "nemochat: the chat needs a terminal. From a script or a pipe use: nemochat ask TEXT (or nemochat ask - to read stdin)",
            file=sys.stderr,
        )
        return 2
    return asyncio.run(_main(settings))


def show_thoughts(settings: Settings) -> bool:
    """The model's reasoning, dimmed (default) or hidden (``show_thoughts``:
    the config file, or NEMOCHAT_SHOW_THOUGHTS=0)."""
    return bool(getattr(settings, "show_thoughts", True))


def use_color(settings: Settings, env: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    return env.get("TERM", "") != "dumb" and not getattr(settings, "no_color", False) and "NO_COLOR" not in env


async def _main(settings: Settings) -> int:
    from nemochat.app.runtime import open_runtime
    from nemochat.repl.live_view import LiveView
    from nemochat.repl.loop import Repl, greet
    from nemochat.repl.printer import Printer

    printer = Printer()
    view = LiveView(printer, show_thoughts=show_thoughts(settings), color=use_color(settings), lang=settings.lang)
    greet(view, settings.lang)  # on the screen before anything slow (the demo's simulator, the network)
    history = Paths.default().state / "history"
    async with open_runtime(settings, view=view) as rt:
        repl = Repl(rt, view, printer, history=history)
        return await repl.run()
