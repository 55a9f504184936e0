"""Background jobs: progress for the toolbar, a result or an error at the end."""

from __future__ import annotations

import asyncio

from shared_helpers import WAIT

from nemochat.errors import BackendError
from nemochat.repl.jobs import JobManager, current_job


def test_a_job_runs_reports_progress_and_finishes():
    finished = []

    async def main() -> None:
        jobs = JobManager(on_finish=finished.append)
        reported, gate = asyncio.Event(), asyncio.Event()

        async def body(job):
            assert current_job.get() is job
            job.update(progress=42, detail="rendering")
            reported.set()
            await gate.wait()
            return "/videos/out.mp4"

        job = jobs.start("export", "Export", body)
        await asyncio.wait_for(reported.wait(), WAIT)
        assert jobs.summary() == "export 42%"
        assert current_job.get() is None  # only inside the job
        gate.set()
        await job.task
        assert jobs.running() == [] and jobs.summary() == ""

    asyncio.run(main())
    (job,) = finished
    assert job.status == "done" and job.result == "/videos/out.mp4" and job.progress == 100


def test_a_failing_job_keeps_the_message_and_action():
    finished = []

    async def main() -> None:
        jobs = JobManager(on_finish=finished.append)

        async def body(job):
            raise BackendError("The render failed", action="Try again later.")

        await jobs.start("export", "Export", body).task

    asyncio.run(main())
    assert finished[0].status == "failed" and finished[0].error == "The render failed"
    assert finished[0].detail == "Try again later."


def test_cancelling_stops_running_jobs():
    finished = []

    async def main() -> None:
        jobs = JobManager(on_finish=finished.append)
        started = asyncio.Event()

        async def body(job):
            started.set()
            await asyncio.Event().wait()  # works until it is stopped

        jobs.start("export", "Export", body)
        await asyncio.wait_for(started.wait(), WAIT)
        await jobs.cancel_all()
        assert jobs.running() == []

    asyncio.run(main())
    assert finished[0].status == "cancelled"


def test_short_labels():
    async def main() -> None:
        jobs = JobManager()

        async def body(job):
            await asyncio.Event().wait()  # works until it is stopped

        job = jobs.start("export", "Export", body)
        assert job.short() == "export…"
        job.update(detail="downloading")
        assert job.short() == "export downloading"
        assert job.short("zh") == "导出 下载中" and job.describe("zh") == "导出 (下载中)"
        job.update(progress=34)
        assert job.short("zh") == "导出 34%" and job.describe("zh") == "导出 (34%)" and job.describe() == "Export (34%)"
        await jobs.cancel_all()

    asyncio.run(main())


def test_a_failed_jobs_line_says_its_error_in_the_chats_language():
    from nemochat.errors import UsageError

    async def main() -> None:
        finished = asyncio.Event()
        jobs = JobManager(on_finish=lambda job: finished.set())

        async def body(job):
            raise UsageError("Nothing to export yet: the project's timeline is empty.", key="export.empty")

        job = jobs.start("export", "Export", body)
        await finished.wait()
        assert job.line().endswith("· Nothing to export yet: the project's timeline is empty.")
        assert job.line("zh").endswith("· 还没有可导出的内容:项目的时间线是空的。") and job.line("zh").startswith(f"#{job.id} 导出 ·")

    asyncio.run(main())
