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
from nemochat.core.texts import say
from nemochat.settings import Paths, Settings


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.json:
        print("nemochat: " + say(settings.lang, "repl.json"), file=sys.stderr)
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("nemochat: " + say(settings.lang, "repl.no_terminal"), file=sys.stderr)
        return 2
    return asyncio.run(_main(settings))


def show_thoughts(settings: Settings) -> bool:
    """The model's reasoning: hidden (default) or dimmed (``show_thoughts``:
    the config file, NEMOCHAT_SHOW_THOUGHTS=1, or /thoughts on)."""
    return bool(getattr(settings, "show_thoughts", False))


def use_color(settings: Settings, env: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    return env.get("TERM", "") != "dumb" and not getattr(settings, "no_color", False) and "NO_COLOR" not in env


async def _main(settings: Settings) -> int:
    """The prompt first: only prompt_toolkit and rich's console are needed to
    draw it. The runtime (httpx, the ledger, the TLS context, the demo's
    simulator) is built right after the first frame, its imports in a worker
    thread, while the user can already type; Markdown is loaded meanwhile too."""
    import contextlib

    from nemochat.repl.loop import Repl, greet

    history = Paths.default().state / "history"
    repl = Repl(settings=settings, color=use_color(settings), show_thoughts=show_thoughts(settings), history=history)
    greet(repl.view, settings.lang, demo=settings.demo)  # on the screen before anything slow (the demo's simulator, the network)
    async with contextlib.AsyncExitStack() as stack:

        async def runtime():
            await asyncio.to_thread(_preload, settings)
            from nemochat.app.runtime import open_runtime
            from nemochat.commands.common import start_demo

            return await stack.enter_async_context(open_runtime(settings, view=repl.view, start_demo=start_demo, hooks=repl.conversation_hooks()))

        return await repl.run(runtime=runtime())


def _preload(settings: Settings) -> None:
    """The modules the runtime and the first answer need (in a worker thread)."""
    import importlib

    from nemochat.ui.markdown_render import preload_markdown

    names = ["nemochat.app.runtime", "nemochat.store", "nemochat.clients.http"] + (["nemochat.sim"] if settings.demo else [])
    for name in names:
        importlib.import_module(name)
    from nemochat.clients.http import tls_context

    tls_context(settings.ca_bundle)
    preload_markdown()
