"""What every one-shot command shares: settings from flags, the runtime,
errors shown once through the view, and the exit code."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from typing import TYPE_CHECKING

from nemochat.errors import Interrupted, NemochatError
from nemochat.settings import Settings

if TYPE_CHECKING:
    from nemochat.app.runtime import Runtime

FLAG_NAMES = ("api_base", "token", "session", "lang", "json", "demo", "poll_interval", "yes", "no_fallback", "verbose", "debug", "record")


def settings_from(args: argparse.Namespace) -> Settings:
    flags = {name: getattr(args, name, None) for name in FLAG_NAMES}
    flags = {k: v for k, v in flags.items() if v not in (None, False)}
    return Settings.load(**flags)


def run_command(args: argparse.Namespace, body: Callable[[Runtime], Awaitable[int | None]]) -> int:
    settings = settings_from(args)
    return asyncio.run(_run(settings, body))


async def _run(settings: Settings, body: Callable[[Runtime], Awaitable[int | None]]) -> int:
    from nemochat.app.runtime import open_runtime

    async with open_runtime(settings) as rt:
        try:
            code = await body(rt) or 0
        except NemochatError as error:
            rt.view.error(error)
            return error.exit_code
        except (KeyboardInterrupt, asyncio.CancelledError):
            error = Interrupted("Interrupted.")
            rt.view.error(error)
            return error.exit_code
        if code == 0:
            rt.view.done()
        return code
