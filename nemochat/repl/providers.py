"""/sora, /veo and /gateway in the chat: the flags of the commands
(`nemochat sora submit ...`) that mean something in the chat (``--help``
lists them), parsed by ``nemochat.app.provider_flags`` and run by
``nemochat.app.provider_run``, as the command's.

A submit is checked first, in the foreground: the flags and the rules (the
same as the command's), then its cost, confirmed at the prompt (a typed yes + Enter; Enter alone declines).
Only then does it run as a background job (a generation takes minutes); a
broken rule is one line and no job. A status check is quick and runs in the
foreground.
"""

from __future__ import annotations

import functools
from typing import Any

from nemochat.core.texts import say
from nemochat.errors import UsageError
from nemochat.repl.commands import ReplContext

_NAMES = {"sora2": ("sora", "Sora video"), "veo3.1": ("veo", "Veo video"), "gateway": ("gateway", "Gateway video")}
_KINDS = {name: kind for kind, (name, _label) in _NAMES.items()}


@functools.lru_cache(maxsize=8)
def chat_flags(name: str, action: str, lang: str = "en") -> tuple[dict[str, tuple[str, bool, bool]], dict[str, tuple[str, ...]]]:
    """For Tab: the flags of ``/NAME ACTION`` in the chat (flag -> its help,
    whether it takes a value, whether it repeats) and the values of those
    with a fixed set; the help in ``lang``."""
    import argparse

    from nemochat.app.provider_flags import chat_actions

    parser = chat_actions(_KINDS[name], lang)[action]
    flags: dict[str, tuple[str, bool, bool]] = {}
    values: dict[str, tuple[str, ...]] = {}
    for item in parser._actions:
        if item.help == argparse.SUPPRESS or not item.option_strings or "--help" in item.option_strings:
            continue
        flag = max(item.option_strings, key=len)  # the long form
        flags[flag] = (item.help or "", item.nargs != 0, isinstance(item, argparse._AppendAction))
        if item.choices:
            values[flag] = tuple(str(c) for c in item.choices)
    return flags, values


async def _run(ctx: ReplContext, kind: str, args: list[str]) -> None:
    from nemochat.app.provider_run import run_in_runtime

    name, label = _NAMES[kind]
    if any(arg in ("-h", "--help") for arg in args):
        from nemochat.app.provider_flags import chat_help

        ctx.say(chat_help(kind, args[0] if args else None, ctx.lang))
        return
    if not args or args[0] not in ("submit", "status"):
        raise UsageError(f"/{name} needs submit or status: for example, /{name} submit --prompt \"a rainy Tokyo street\" "
                         f"(/{name} submit --help lists the flags)", key="usage.provider", name=name)
    if args[0] == "status":
        await run_in_runtime(ctx.runtime, kind, args, confirm=ctx.confirm)
        return
    if "--follow" not in args:
        args = [*args, "--follow"]  # a job that waits for the video, in the background
    if not await _checked_and_confirmed(ctx, kind, args):
        return

    async def yes(question: str) -> bool:
        return True  # the user said yes above, before the job started

    async def body(job: Any) -> str | None:
        await run_in_runtime(ctx.runtime, kind, args, confirm=yes)
        return None  # its own events show the video's URL and file

    ctx.start_job(name, label, body)


async def _checked_and_confirmed(ctx: ReplContext, kind: str, args: list[str]) -> bool:
    """The submit's flags and rules (raises the command's one-line error),
    then its cost question; True to start the job."""
    from nemochat.app.provider_flags import checked_request, parse_chat_command, price_of
    from nemochat.core.video_rules import describe

    request, _local = checked_request(kind, parse_chat_command(kind, args))  # before anything is sent or started
    if ctx.runtime.settings.yes:
        return True
    if await ctx.confirm(say(ctx.lang, "provider.cost", what=describe(request, ctx.lang), price=price_of(request, ctx.lang))):
        return True
    ctx.say(say(ctx.lang, "provider.not_submitted"), "dim")
    return False


async def cmd_sora(ctx: ReplContext, args: list[str]) -> None:
    await _run(ctx, "sora2", args)


async def cmd_veo(ctx: ReplContext, args: list[str]) -> None:
    await _run(ctx, "veo3.1", args)


async def cmd_gateway(ctx: ReplContext, args: list[str]) -> None:
    await _run(ctx, "gateway", args)
