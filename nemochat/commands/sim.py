"""`nemochat sim`: the simulator in the foreground, for trying things by hand."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from nemochat.sim import serve_forever

    def ready(base_url: str) -> None:
        print(f"nemochat simulator listening on {base_url}", flush=True)
        print(f"Try: nemochat --api-base {base_url} ask 'make a 10s rainy Tokyo clip'", flush=True)

    try:
        serve_forever(args.host, args.port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    return 0
