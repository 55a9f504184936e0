"""What every one-shot command shares: settings from flags, the runtime,
errors shown once through the view, and the exit code.

Every one-shot command writes the answer or the data asked for on stdout
and everything else (session line, notices, progress, hints, errors) on
stderr (``app.runtime.make_view``; cli-contract.md, "Where output goes")."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from typing import TYPE_CHECKING

from nemochat.errors import Interrupted, NemochatError, local_error
from nemochat.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from nemochat.app.conversation import ConversationHooks
    from nemochat.app.runtime import DemoBackend, Runtime, View

FLAG_NAMES = ("api_base", "token", "session", "lang", "json", "demo", "poll_interval", "yes", "no_fallback", "verbose", "debug", "record")


def settings_from(args: argparse.Namespace) -> Settings:
    flags = {name: getattr(args, name, None) for name in FLAG_NAMES}
    flags = {k: v for k, v in flags.items() if v not in (None, False)}
    return Settings.load(**flags)


def run_command(
    args: argparse.Namespace,
    body: Callable[[Runtime], Awaitable[int | None]],
    *,
    interrupted: Callable[[Runtime], Interrupted] | None = None,
    hooks: Callable[[Settings], ConversationHooks] | None = None,
) -> int:
    """``body`` in a runtime; ``interrupted`` says what Ctrl-C meant in it (else "Interrupted.");
    ``hooks``: what the command decides for the runtime's conversation, from the settings."""
    settings = settings_from(args)
    return asyncio.run(_run(settings, body, interrupted, hooks))


async def _run(
    settings: Settings,
    body: Callable[[Runtime], Awaitable[int | None]],
    interrupted: Callable[[Runtime], Interrupted] | None,
    hooks: Callable[[Settings], ConversationHooks] | None = None,
) -> int:
    from nemochat.app.conversation import NO_HOOKS
    from nemochat.app.runtime import make_view, open_runtime

    try:
        async with open_runtime(settings, start_demo=start_demo, hooks=hooks(settings) if hooks else NO_HOOKS) as rt:
            return await finish(rt.view, lambda: body(rt), (lambda: interrupted(rt)) if interrupted is not None else None)
    except (NemochatError, OSError) as exc:  # while the runtime was built (the client id on a read-only disk...)
        error = exc if isinstance(exc, NemochatError) else local_error(exc)
        if error is None or not settings.json:
            raise  # one "nemochat: ..." line (cli.main)
        make_view(settings).error(error)  # with --json, an error line as any failure
        return error.exit_code


async def finish(view: View, work: Callable[[], Awaitable[int | None]], interrupted: Callable[[], Interrupted] | None = None) -> int:
    """Run a command's work and end its output as the contract says
    ("--json lines"): ``done`` last after a success only; a failure shows its
    error once, through the view, and returns its exit code."""
    try:
        code = await work() or 0
    except NemochatError as error:
        view.error(error)
        return error.exit_code
    except OSError as exc:  # a full or read-only disk: one clear line, not "unexpected error"
        local = local_error(exc)
        if local is None:
            raise
        view.error(local)
        return local.exit_code
    except (KeyboardInterrupt, asyncio.CancelledError):
        stopped = interrupted() if interrupted is not None else Interrupted("Interrupted.", key="interrupted")
        view.error(stopped)
        return stopped.exit_code
    if code == 0:
        view.done()
    return code


def start_demo(world_file: Path) -> DemoBackend:
    """``--demo``'s simulator, for ``open_runtime``: only the commands start it
    (the layers' contract in pyproject.toml), and only when asked (its
    server costs start-up time)."""
    from nemochat.sim.demo import start_demo as start

    return start(world_file)


def tty_confirm() -> Callable[[str], Awaitable[bool]] | None:
    """The one y/N question a one-shot command asks on the terminal (the cost
    of a provider video, cancelling a render after Ctrl-C), or None when there
    is no one to ask: no terminal, or one a full-screen program such as the
    REPL's prompt owns (it passes its own confirm instead).

    The question is chrome: on stderr, so ``export > f`` keeps it out of f.
    It blocks on purpose: nothing else should run while the user decides, and
    a second Ctrl-C lands in it as KeyboardInterrupt (a read in a thread would
    outlive the command, holding its exit until Enter). End of input is a no."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()) or _terminal_in_raw_mode():
        return None

    async def ask(question: str) -> bool:
        sys.stderr.write(question + " ")
        sys.stderr.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes", "是", "好")

    return ask


def _terminal_in_raw_mode() -> bool:
    """Whether another program reads the terminal key by key right now."""
    try:
        import termios

        return not termios.tcgetattr(sys.stdin.fileno())[3] & termios.ICANON
    except Exception:  # no termios (Windows), or stdin is no terminal (termios.error, OSError, ValueError)
        return False
