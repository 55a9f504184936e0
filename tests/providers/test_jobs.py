"""The job runner in-process, against the simulator over loopback, on a fake
clock: the request budget (counted across jobs and processes through the
ledger), Retry-After, max-wait, and lost submit answers."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from nemochat.app.video_jobs import PollPolicy, RequestBudget, VideoJobs
from nemochat.clients.nanophoto import AmbiguousSubmit, NanoPhotoClient, SoraJob, VeoJob, key_hint
from nemochat.core.ui_events import Notice, VideoReady
from nemochat.core.video_rules import sora_request, veo_request
from nemochat.errors import BackendError
from nemochat.settings import Settings
from nemochat.store import Ledger

KEY = "np-budget-key-000001"


class FakeTime:
    def __init__(self) -> None:
        self.t = 1_000_000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake(providers):
    clock = FakeTime()
    providers.clock = clock.now
    yield clock
    import time

    providers.clock = time.time


@pytest.fixture
def setup(sim, providers, fake, tmp_path):
    """``async with setup(limit=...) as (jobs, client, ledger, events)``."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(limit: int = 100, settings: Settings | None = None):
        settings = settings or Settings(output_dir=str(tmp_path), retry_after_default=0.0)
        events: list = []
        book = Ledger(tmp_path / "ledger.db", clock=fake.now)
        budget = RequestBudget(book, key_hint(KEY), limit, events.append, clock=fake.now, sleep=fake.sleep)
        async with httpx.AsyncClient(base_url=sim.base_url) as http:
            jobs = VideoJobs(book, settings, events.append, budget=budget, key_hint=key_hint(KEY), sleep=fake.sleep, clock=fake.now)
            try:
                yield jobs, NanoPhotoClient(http, KEY), book, events
            finally:
                book.close()

    return make


def max_in_any_hour(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 3600) for t in times)


POLICY = PollPolicy(initial_delay=0.0, interval=0.0, max_wait=100_000.0)


async def test_polling_stays_inside_the_hourly_budget(setup, providers, fake):
    providers.polls_to_complete, providers.hourly_limit = 25, 10
    async with setup(limit=10) as (jobs, client, book, events):
        outcome = await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=True)
    assert outcome.status == "completed"
    times = [r.at for r in providers.requests]
    assert len(times) == 1 + 25
    assert max_in_any_hour(times) <= 10
    assert not [e for e in events if isinstance(e, Notice) and "slow down" in e.message]  # the sim never had to say 429


async def test_a_used_up_budget_waits_for_a_free_slot(setup, providers, fake):
    async with setup(limit=10) as (jobs, client, book, events):
        for n in range(10):  # the whole hour's budget, used by other jobs from 10 minutes ago on
            book.log_request(key_hint(KEY), fake.now() - 600 + n)
        await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=False)
    [submit] = providers.requests
    assert submit.at >= 1_000_000.0 - 600 + 3600  # only once the oldest left the hour
    assert submit.at - 1_000_000.0 < 3600
    assert any("requests per hour" in e.message for e in events if isinstance(e, Notice))


async def test_the_budget_counts_other_processes_requests(setup, providers, fake):
    async with setup(limit=10) as (jobs, client, book, events):
        for n in range(8):  # another nemochat process polled with the same key a minute ago
            book.log_request(key_hint(KEY), fake.now() - 60 + n)
        await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=True)
        first_wait_from = providers.requests[2].at
    assert len(providers.requests) == 4
    # 8 + 2 used the budget: the third request waited until the other process's first left the hour
    assert first_wait_from >= 1_000_000.0 - 60 + 3600


async def test_two_jobs_share_one_budget(setup, providers, fake):
    providers.polls_to_complete = 8
    async with setup(limit=10) as (jobs, client, book, events):
        await asyncio.gather(*(jobs.submit(SoraJob(client, sora_request(f"cat {n}")), policy=POLICY, follow=True) for n in range(2)))
    times = [r.at for r in providers.requests]
    assert len(times) == 2 * (1 + 8)
    assert max_in_any_hour(times) <= 10


async def test_intervals_stretch_past_half_the_budget(setup, providers, fake):
    providers.polls_to_complete = 3
    async with setup(limit=100) as (jobs, client, book, events):
        for n in range(60):
            book.log_request(key_hint(KEY), fake.now() - 100 + n)
        await jobs.submit(SoraJob(client, sora_request("a cat")), policy=PollPolicy(0.0, 20.0, 10_000.0), follow=True)
    # after the submit and a check, 62 of 100 are used: the rest spread over the hour (3600/38 ≈ 95 s), not 20 s
    assert [round(s) for s in fake.sleeps if s > 0][:2] == [round(3600 / 38), round(3600 / 37)]


async def test_retry_after_is_honoured_while_polling(setup, providers, fake):
    providers.arm_rate_limit(retry_after=7, path="/api/sora-2/check-status")
    async with setup() as (jobs, client, book, events):
        outcome = await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=True)
    assert outcome.status == "completed"
    assert 7 in fake.sleeps


async def test_sora_waits_120_s_then_20_s(setup, providers, fake):
    from nemochat.app.video_jobs import poll_policy

    policy = poll_policy("sora2", Settings())
    assert (policy.initial_delay, policy.interval, policy.max_wait) == (120.0, 20.0, 1200.0)
    async with setup() as (jobs, client, book, events):
        await jobs.submit(SoraJob(client, sora_request("a cat")), policy=policy, follow=True)
    assert fake.sleeps[:3] == [120.0, 20.0, 20.0]


def test_poll_policies():
    from nemochat.app.video_jobs import poll_policy

    assert poll_policy("veo3.1", Settings()) == PollPolicy(8.0, 8.0, 1800.0)
    assert poll_policy("sora2", Settings(poll_interval=5.0)) == PollPolicy(5.0, 5.0, 1200.0)
    assert poll_policy("sora2", Settings(), initial=3, interval=4, max_wait=50) == PollPolicy(3.0, 4.0, 50.0)
    assert poll_policy("gateway", Settings(gateway_interval=2.0, gateway_max_wait=9.0)) == PollPolicy(2.0, 2.0, 9.0)
    assert Settings.load({"NEMOCHAT_SORA_INTERVAL": "3", "NEMOCHAT_VEO_MAX_WAIT": "60"}).sora_interval == 3.0


async def test_max_wait_stops_following_but_the_job_goes_on(setup, providers, fake):
    providers.polls_to_complete = 1000
    async with setup() as (jobs, client, book, events):
        with pytest.raises(BackendError) as info:
            await jobs.submit(SoraJob(client, sora_request("a cat")), policy=PollPolicy(120.0, 20.0, 1200.0), follow=True)
        [job] = book.jobs()
    assert info.value.code == "timeout"
    assert f"nemochat sora status --task-id {job.task_id} --follow" in info.value.action
    assert job.status == "processing" and job.open
    assert sum(fake.sleeps) == pytest.approx(1200.0)


async def test_a_lost_submit_answer_is_never_sent_again(setup, providers, fake):
    providers.set(drop_submit=1)
    async with setup() as (jobs, client, book, events):
        with pytest.raises(AmbiguousSubmit) as info:
            await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=True)
        [job] = book.jobs()
    assert len(providers.requests_to("/api/sora-2/generate")) == 1
    assert len(providers.tasks) == 1  # the task exists and was billed: that is why we must not resend
    assert job.status == "unknown" and job.open
    assert "NOT sent again" in info.value.message and "dashboard" in info.value.action
    assert [e.status for e in events if isinstance(e, VideoReady)] == ["unknown"]


async def test_veo_shots_are_followed_and_downloaded(setup, providers, fake, tmp_path):
    request = veo_request([{"id": "a", "prompt": "one"}, {"id": "b", "prompt": "two"}])
    async with setup() as (jobs, client, book, events):
        outcome = await jobs.submit(VeoJob(client, request), policy=POLICY, follow=True)
        [job] = book.jobs()
    ready = [e for e in events if isinstance(e, VideoReady) and e.status == "completed"]
    assert [e.shot_id for e in ready] == ["a", "b"]
    assert all(e.path and e.path.endswith(".mp4") for e in ready)
    assert len(outcome.files) == 2 and all(f.stat().st_size > 1000 for f in outcome.files)
    assert len(job.local_files) == 2 and job.status == "completed" and job.credits_used == 20
    checks = providers.requests_to("/api/veo-3/check-status")
    assert all(c.json["resolution"] == "720p" and len(c.json["taskIds"]) == 2 for c in checks)


async def test_submit_body_is_exactly_nanophotos(setup, providers, fake):
    request = sora_request("a cat", model_tier="sora2-pro-standard", aspect_ratio="landscape", video_duration="15",
                           image_urls=["https://example.com/a.png"])
    async with setup() as (jobs, client, book, events):
        await jobs.submit(SoraJob(client, request), policy=POLICY, follow=False)
    [submit] = providers.requests_to("/api/sora-2/generate")
    assert submit.json == {"prompt": "a cat", "mode": "imageToVideo", "modelTier": "sora2-pro-standard",
                           "aspectRatio": "landscape", "videoDuration": "15", "imageUrls": ["https://example.com/a.png"]}
    assert submit.key == KEY
    assert not providers.requests_to("/api/sora-2/check-status")


async def test_ledger_never_holds_the_key(setup, providers, fake, tmp_path):
    async with setup() as (jobs, client, book, events):
        await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=True)
    assert KEY.encode() not in (tmp_path / "ledger.db").read_bytes()
    assert json.dumps([str(e) for e in events]).find(KEY) == -1


async def test_retry_after_is_honoured_on_a_refused_submit(setup, providers, fake):
    providers.arm_rate_limit(retry_after=9, path="/api/sora-2/generate")
    async with setup() as (jobs, client, book, events):
        await jobs.submit(SoraJob(client, sora_request("a cat")), policy=POLICY, follow=False)
    assert fake.sleeps[0] == 9
    assert len(providers.requests_to("/api/sora-2/generate")) == 2 and len(providers.tasks) == 1
