"""The one-shot commands that talk to the agent or read the session: ask, credits, status, replay (sessions: commands.ledger).

Their answer goes to stdout, everything about getting it to stderr (as
for every one-shot command: ``app.runtime.make_view``), so
``nemochat status > f`` holds only the status.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from nemochat.app.conversation import ConversationHooks
from nemochat.app.runtime import Runtime
from nemochat.commands.common import run_command, settings_from
from nemochat.core import cli_words
from nemochat.errors import BackendError, Interrupted, UsageError
from nemochat.settings import Settings


def _read_stdin() -> str:
    """All of stdin as text; bytes that are not UTF-8 are a usage error."""
    try:
        text = sys.stdin.read()
        text.encode("utf-8")  # (a C locale reads bad bytes as lone surrogates)
    except UnicodeError:
        raise UsageError("stdin is not valid UTF-8 text", action="Check the encoding of what you send to `nemochat ask -`.", key="stdin.not_utf8") from None
    return text.strip()


def ask(args: argparse.Namespace) -> int:
    words = " ".join(args.text).strip()
    if words == "-":
        text = _read_stdin()
    else:  # `cat notes.txt | nemochat ask "turn this into a 30 s script"`: the piped text, then the words (as `llm` does)
        piped = _read_stdin() if stdin_is_piped() else ""
        text = f"{piped}\n\n{words}" if piped and words else piped or words
    if not text:
        raise UsageError("nothing to say: give some text, or pipe it in (cat notes.txt | nemochat ask \"make it a script\")", key="ask.nothing")

    def hooks(settings: Settings) -> ConversationHooks:
        from nemochat.commands.common import tty_confirm

        ask = tty_confirm()  # the fallback's cost question; Ctrl-C during `ask export` asks before cancelling
        return ConversationHooks(confirm=ask, confirm_cancel=None if settings.json else ask)

    async def body(rt: Runtime) -> int:
        await rt.conversation.connect()
        outcome = await rt.conversation.handle(text)
        if rt.settings.yes:
            for action in outcome.actions:
                await rt.conversation.run_action(action)
        return outcome.error.exit_code if outcome.error else 0

    def interrupted(rt: Runtime) -> Interrupted:
        if not rt.nemo.messages_out:  # the message may have reached the agent: Ctrl-C stops listening, not the turn
            return Interrupted("Interrupted before your message was sent: nothing reached the agent.", key="ask.interrupted_unsent")
        return Interrupted(
            "Interrupted: stopped listening; the agent may still finish this turn on the server (nothing was resent).",
            action=f"Check with `{cli_words.command('status')}`.",
            key="ask.interrupted", command=cli_words.command("status"),
        )

    return run_command(args, body, interrupted=interrupted, hooks=hooks)


def stdin_is_piped() -> bool:
    """Whether stdin is a pipe or a redirected file; a terminal or a device
    (/dev/null) is never read (it would wait for a person)."""
    import os
    import stat

    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


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
    from nemochat.commands.common import finish
    from nemochat.core.ui_events import Notice

    settings = settings_from(args)
    view = make_view(settings)

    async def one(name: str) -> int:
        path = check_recording(name)
        turn = await replay_file(path, view.emit, still_working_every=settings.still_working_every)
        if turn.errors:  # shown where the stream broke; the exit code a live turn would have
            return BackendError.exit_code
        if turn.silent and not turn.tools:
            if not holds_sse(path):
                raise UsageError(f"no server-sent events in {name}: is it a /run_sse recording?", key="replay.no_events", name=name)
            view.emit(Notice(f"Nothing to show: {name} holds no text, question, tool call or error.", key="replay.nothing", values=(("name", name),)))
        return 0

    async def work() -> int:
        if len(args.file) == 1:
            return await one(args.file[0])
        for name in args.file:  # `nemochat replay fixtures/sse/adk/*.sse`: all checked first, then each under its name
            check_recording(name)
        codes = []
        for name in args.file:
            view.emit(Notice(f"── {Path(name).name}"))
            codes.append(await one(name))
        return max(codes)

    return asyncio.run(finish(view, work))


# A line that starts an SSE field or comment (the stream may end lines with CR, LF or CRLF).
_SSE_LINE = re.compile(rb"[\r\n](?::|(?:data|event|id|retry)[:\r\n])")


def holds_sse(path: Path, chunk: int = 1 << 20) -> bool:
    """Whether the file has any SSE field or comment line: a recording of a
    stream that said nothing does; a text or JSON file does not. Read only
    when a replay showed nothing, a chunk at a time."""
    prev = b"\n"  # the file's start is a line start
    with path.open("rb") as recording:
        while data := recording.read(chunk):
            seen = prev + data
            if _SSE_LINE.search(seen):
                return True
            prev = seen[-7:]  # a line end and "retry" cut between reads
    return bool(_SSE_LINE.search(prev + b"\n"))
