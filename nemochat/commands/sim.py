"""`nemochat sim`: the simulator in the foreground, for trying things by hand."""

from __future__ import annotations

import argparse
import os

from nemochat.core.texts import say


def run(args: argparse.Namespace) -> int:
    from nemochat.sim import serve_forever

    def ready(base_url: str) -> None:
        lang = getattr(args, "lang", None) or os.environ.get("NEMO_LANG")
        print(say(lang, "sim.listening", url=base_url), flush=True)
        print(say(lang, "sim.try", url=base_url), flush=True)

    try:
        serve_forever(args.host, args.port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    return 0
