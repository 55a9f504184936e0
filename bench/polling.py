"""Polling economy: how many requests a job costs over its whole life.

Runs the real job code (``app.video_jobs`` for Sora 2 / Veo 3.1, ``app.export``
for a render) against the simulator over loopback HTTP, on a virtual clock:
every ``sleep`` of the code under test is a wait on that clock, which jumps
ahead whenever every job is waiting for it, so hours pass in seconds. The
simulator's tasks never finish here, so each job polls for as long as its
policy allows (Sora: 120 s, then every 20 s, up to 20 minutes; a render: 2 s
growing x1.5 to ``export_max_poll``, up to ``export_deadline``).

Prints one JSON object: ``sora_status`` and ``render_status`` (status
requests in a job's life), ``nanophoto_max_hour`` (the most requests any one
key made in any hour while several jobs ran at once) and what went into it.

    .venv/bin/python bench/polling.py
"""

from __future__ import annotations

import asyncio
import heapq
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from collections.abc import Awaitable


class VirtualTime:
    """A clock the code under test sleeps on; ``run`` moves it forward
    whenever every task it runs is asleep on it."""

    def __init__(self, start: float) -> None:
        self.t = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = 0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + max(0.0, seconds), self._seq, future))
        self._seq += 1
        await future

    async def run(self, *jobs: Awaitable[Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            await asyncio.sleep(0.001)  # real time: let HTTP answers arrive
            self._sleepers = [s for s in self._sleepers if not s[2].done()]
            heapq.heapify(self._sleepers)
            awake = sum(not task.done() for task in tasks)
            if awake and len(self._sleepers) >= awake:  # everyone waits for the clock: jump to the next wake-up
                wake, _, future = heapq.heappop(self._sleepers)
                self.t = max(self.t, wake)
                future.set_result(None)
        return await asyncio.gather(*tasks, return_exceptions=True)


def max_in_any_hour(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 3600:
            start += 1
        best = max(best, end - start + 1)
    return best


async def provider_jobs(sim: Any, work: Path, vt: VirtualTime, sora: int, veo: int) -> dict[str, Any]:
    import httpx

    from nemochat.app.video_jobs import RequestBudget, VideoJobs, poll_policy
    from nemochat.clients.nanophoto import NanoPhotoClient, SoraJob, VeoJob, key_hint
    from nemochat.core.video_rules import sora_request, veo_request
    from nemochat.settings import Settings
    from nemochat.store import Ledger

    key = "np-bench-key-000001"
    state = sim.world.providers
    state.reset()
    state.clock = vt.now
    state.polls_to_complete = 10**9  # never done: every job polls until its policy gives up
    settings = Settings(output_dir=str(work))
    events: list[Any] = []
    ledger = Ledger(work / f"ledger-{sora}-{veo}.db", clock=vt.now)
    budget = RequestBudget(ledger, key_hint(key), settings.nanophoto_hourly_requests, events.append, clock=vt.now, sleep=vt.sleep)
    jobs = VideoJobs(ledger, settings, events.append, budget=budget, key_hint=key_hint(key), sleep=vt.sleep, clock=vt.now, download_videos=False)
    async with httpx.AsyncClient(base_url=sim.base_url, trust_env=False) as http:
        client = NanoPhotoClient(http, key)
        runs = [jobs.submit(SoraJob(client, sora_request(f"a cat, take {n}")), policy=poll_policy("sora2", settings), follow=True) for n in range(sora)]
        runs += [
            jobs.submit(VeoJob(client, veo_request([{"prompt": f"shot {n}a"}, {"prompt": f"shot {n}b"}])), policy=poll_policy("veo3.1", settings), follow=True)
            for n in range(veo)
        ]
        outcomes = await vt.run(*runs)
    ledger.close()
    requests = [r for r in state.requests if r.key == key]
    return {
        "jobs": sora + veo,
        "requests": len(requests),
        "status": sum("check-status" in r.path for r in requests),
        "max_hour": max_in_any_hour([r.at for r in requests]) if requests else 0,
        "virtual_s": round(vt.now() - min((r.at for r in requests), default=vt.now())),
        "timed_out": sum(getattr(o, "code", None) == "timeout" for o in outcomes),
    }


async def render_job(sim: Any, vt: VirtualTime) -> dict[str, Any]:
    from nemochat.app.export import ExportOptions, export_video
    from nemochat.app.runtime import open_runtime
    from nemochat.settings import Settings

    class Quiet:
        def emit(self, event: Any) -> None: ...
        def error(self, error: Any) -> None: ...
        def done(self) -> None: ...

    settings = Settings.load(api_base=sim.base_url)
    async with open_runtime(settings, view=Quiet()) as rt:
        await rt.conversation.connect()
        await rt.conversation.handle("make a 10s rainy Tokyo clip")  # a draft worth rendering
        sim.world.configure(render_progress_per_poll=0)  # the render never finishes
        before = len(sim.world.requests)
        (outcome,) = await vt.run(export_video(rt.conversation, ExportOptions(), sleep=vt.sleep, clock=vt.now))
    polls = [r for r in sim.world.requests[before:] if r.method == "GET" and r.path.startswith("/api/render/proxy/lambda/")]
    return {"status": len(polls), "deadline_s": settings.export_deadline, "ended": type(outcome).__name__}


def main() -> int:
    from nemochat.sim import start_simulator

    with tempfile.TemporaryDirectory(prefix="nemochat-bench-poll-") as tmp:
        work = Path(tmp)
        for var, sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".state"), ("XDG_DATA_HOME", ".data")):
            os.environ[var] = str(work / sub)
        for name in [n for n in os.environ if n.startswith(("NEMOCHAT_", "NEMO_", "NANOPHOTO_", "SORA_"))]:
            del os.environ[name]  # the defaults are what is measured
        started = time.perf_counter()
        with start_simulator(time_scale=0) as sim:
            start = time.time()
            one = asyncio.run(provider_jobs(sim, work, VirtualTime(start), sora=1, veo=0))
            many = asyncio.run(provider_jobs(sim, work, VirtualTime(start + 10 * 86400), sora=4, veo=2))
            render = asyncio.run(render_job(sim, VirtualTime(start)))
        print(json.dumps({
            "sora_status": one["status"], "sora": one,
            "render_status": render["status"], "render": render,
            "nanophoto_max_hour": many["max_hour"], "nanophoto": many,
            "seconds": round(time.perf_counter() - started, 1),
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
