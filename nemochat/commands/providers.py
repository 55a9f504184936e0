"""`nemochat sora|veo|gateway submit|status`.

The flags mirror NanoPhoto's scripts (cli-contract.md); they and the checked
request are app/provider_flags.py's (the chat's /sora shares them), the run
is app/provider_run.py's: every rule is checked before any request; then the
API key; then the cost question, asked here on the terminal; then the job.
This module adds what only the command line has: its global options, the
question on the terminal and ``--json-only``, which prints the providers'
raw answers as ``{"stage": ..., "response": ...}`` lines, as NanoPhoto's
script does.

Only argparse is imported at the top: the parser is built on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any


def _global_options(p: argparse.ArgumentParser) -> None:
    from nemochat.commands.parser import global_options

    global_options(p, suppress=True)


def sora_args(p: argparse.ArgumentParser) -> None:
    from nemochat.app import provider_flags

    provider_flags.sora_args(p, more=_global_options)


def veo_args(p: argparse.ArgumentParser) -> None:
    from nemochat.app import provider_flags

    provider_flags.veo_args(p, more=_global_options)


def gateway_args(p: argparse.ArgumentParser) -> None:
    from nemochat.app import provider_flags

    provider_flags.gateway_args(p, more=_global_options)


# -- running ----------------------------------------------------------------------------------------


def sora(args: argparse.Namespace) -> int:
    return _run(args, "sora2")


def veo(args: argparse.Namespace) -> int:
    return _run(args, "veo3.1")


def gateway(args: argparse.Namespace) -> int:
    return _run(args, "gateway")


def _run(args: argparse.Namespace, kind: str) -> int:
    from dataclasses import replace

    from nemochat.commands.common import settings_from

    settings = settings_from(args)
    if getattr(args, "output_dir", None):
        settings = replace(settings, output_dir=args.output_dir)
    return asyncio.run(_main(settings, args, kind))


async def _main(settings: Any, args: argparse.Namespace, kind: str) -> int:
    from nemochat.app.provider_run import act
    from nemochat.app.runtime import open_runtime
    from nemochat.commands.common import finish, start_demo, tty_confirm
    from nemochat.errors import Interrupted

    json_only = getattr(args, "json_only", False)
    # (without --json-only, the usual one-shot view: the video on stdout, the rest on stderr)
    async with open_runtime(settings, view=JsonOnlyView() if json_only else None, start_demo=start_demo) as rt:
        return await finish(rt.view, lambda: act(rt, args, kind, JsonOnlyView.stage if json_only else None, confirm=tty_confirm()),
                            lambda: Interrupted("Interrupted. A submitted job goes on: `nemochat jobs` lists it.", key="provider.interrupted"))


class JsonOnlyView:
    """``--json-only``: stdout carries only the raw stage lines; people read stderr."""

    def emit(self, event: Any) -> None:
        from nemochat.core.sanitize import clean_line
        from nemochat.core.ui_events import Notice

        if isinstance(event, Notice):
            print(clean_line(event.message), file=sys.stderr)

    def error(self, error: Any) -> None:
        from nemochat.core.sanitize import clean_line

        print(f"nemochat: {clean_line(error.message)}", file=sys.stderr)
        if error.action:
            print(f"  {clean_line(error.action)}", file=sys.stderr)

    def done(self) -> None:
        pass

    @staticmethod
    def stage(stage: str, response: Any) -> None:
        print(json.dumps({"stage": stage, "response": response}), flush=True)  # ASCII: no terminal controls
