"""/sora, /veo and /gateway in the chat: the same flags as the commands
(`nemochat sora submit ...`), run by ``nemochat.commands.providers``.

A submit runs as a background job (a generation takes minutes); its cost is
confirmed first with one key at the prompt. A status check is quick and
runs in the foreground.
"""

from __future__ import annotations

from typing import Any

from nemochat.errors import UsageError
from nemochat.repl.commands import ReplContext

_NAMES = {"sora2": ("sora", "Sora video"), "veo3.1": ("veo", "Veo video"), "gateway": ("gateway", "Gateway video")}


async def _run(ctx: ReplContext, kind: str, args: list[str]) -> None:
    from nemochat.commands.providers import run_in_runtime

    name, label = _NAMES[kind]
    if not args or args[0] not in ("submit", "status"):
        raise UsageError(f"/{name} needs submit or status", action=f"For example: /{name} submit --prompt \"a rainy Tokyo street\" (the flags of `nemochat {name} submit --help`).")
    if args[0] == "status":
        await run_in_runtime(ctx.runtime, kind, args, confirm=ctx.confirm)
        return
    if "--follow" not in args:
        args = [*args, "--follow"]  # a job that waits for the video, in the background

    async def body(job: Any) -> str | None:
        await run_in_runtime(ctx.runtime, kind, args, confirm=ctx.confirm)
        return None  # its own events show the video's URL and file

    ctx.start_job(name, label, body)


async def cmd_sora(ctx: ReplContext, args: list[str]) -> None:
    await _run(ctx, "sora2", args)


async def cmd_veo(ctx: ReplContext, args: list[str]) -> None:
    await _run(ctx, "veo3.1", args)


async def cmd_gateway(ctx: ReplContext, args: list[str]) -> None:
    await _run(ctx, "gateway", args)
