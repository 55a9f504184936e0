"""`nemochat sim`: the simulator in the foreground, for trying things by hand."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from nemochat.sim import start_simulator

    sim = start_simulator(host=args.host, port=args.port)
    print(f"nemochat simulator listening on {sim.base_url}", flush=True)
    print(f"Try: NEMO_API_URL={sim.base_url} nemochat ask 'make a 10s rainy Tokyo clip'", flush=True)
    try:
        sim.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
