"""A job outlives its process: kill nemochat mid-poll (SIGKILL, no cleanup at
all), then `sora status` picks the same ledger job up and finishes it."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from pty_zygote import NEMOCHAT, ZygoteProcess

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def start_following(zygotes, *argv: str) -> ZygoteProcess:
    """The real program in its own process (forked from the zygote: tests/pty_zygote.py)."""
    return zygotes.popen(NEMOCHAT, ["--json", *argv, "--yes", "--follow"], env=os.environ.copy(), cwd=os.getcwd(), text=False)


def kill_mid_poll(process: ZygoteProcess, providers, path: str) -> None:
    try:
        assert providers.wait_for(path, count=2, timeout=60), "the job never started polling"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_sora_job_is_reattached_after_the_process_was_killed(cli, providers, ledger, zygotes):
    providers.polls_to_complete = 10**9  # it stays "processing" while the first process lives
    kill_mid_poll(start_following(zygotes, "sora", "submit", "--prompt", "a rainy street"), providers, "/api/sora-2/check-status")
    with ledger() as book:
        [job] = book.jobs()
    assert job.kind == "sora2" and job.status == "processing" and job.task_id
    assert len(providers.requests_to("/api/sora-2/generate")) == 1

    providers.finish_all()
    run = cli("--json", "sora", "status", "--task-id", job.task_id, "--follow")
    assert run.code == 0, run.out + run.err
    [video] = run.of("video")
    assert video["status"] == "completed" and video["job_id"] == job.id
    assert Path(video["path"]).stat().st_size > 1000
    with ledger() as book:
        [after] = book.jobs()  # the same job, not a new one
    assert after.id == job.id and after.status == "completed" and after.local_files == (video["path"],)
    assert len(providers.requests_to("/api/sora-2/generate")) == 1  # re-attaching never submits


def test_status_without_task_id_takes_the_open_job_of_the_ledger(cli, providers, ledger, zygotes):
    providers.polls_to_complete = 10**9
    kill_mid_poll(start_following(zygotes, "veo", "submit", "--shots-json", '[{"prompt": "a"}, {"prompt": "b"}]'),
                  providers, "/api/veo-3/check-status")
    providers.finish_all()
    run = cli("--json", "veo", "status", "--follow")
    assert run.code == 0, run.out + run.err
    assert [v["status"] for v in run.of("video")] == ["completed", "completed"]
    with ledger() as book:
        [job] = book.jobs()
    assert job.status == "completed" and len(job.local_files) == 2


def test_status_once_reports_processing_without_following(cli, providers, ledger):
    providers.polls_to_complete = 10**9
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    task_id = run.of("video")[0]["task_id"]
    run = cli("--json", "sora", "status", "--task-id", task_id)
    assert run.code == 0
    assert run.of("video")[0]["status"] == "processing"
    assert len(providers.requests_to("/api/sora-2/check-status")) == 1


def test_an_unknown_task_id_is_adopted_into_the_ledger(cli, providers, ledger):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    task_id = run.of("video")[0]["task_id"]
    with ledger() as book:
        book._conn.execute("DELETE FROM job_tasks")  # as if it had been submitted by NanoPhoto's own script
    run = cli("--json", "sora", "status", "--task-id", task_id, "--follow", "--no-download")
    assert run.code == 0
    with ledger() as book:
        adopted = book.job_by_task(task_id)
    assert adopted is not None and adopted.status == "completed" and adopted.params.get("attached")


def test_a_finished_job_is_not_downloaded_twice(cli, providers, ledger):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes", "--follow")
    first = run.of("video")[-1]["path"]
    run = cli("--json", "sora", "status", "--task-id", run.of("video")[-1]["task_id"])
    assert run.code == 0
    assert run.of("video")[-1]["path"] == first
    assert len(list(Path(first).parent.glob("*.mp4"))) == 1


def test_a_failed_download_keeps_the_url_and_can_be_retried(cli, providers, ledger):
    providers.set(media_404=1)
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes", "--follow")
    assert run.code == 5
    assert run.of("error")[0]["code"] == "download"
    video = run.of("video")[-1]
    assert video["status"] == "completed" and video["url"] and "path" not in video
    with ledger() as book:
        [job] = book.jobs()
    assert job.status == "completed" and job.urls == (video["url"],) and job.local_files == ()
    run = cli("--json", "sora", "status", "--task-id", video["task_id"])
    assert run.code == 0
    assert Path(run.of("video")[-1]["path"]).is_file()
    assert len(providers.requests_to("/api/sora-2/generate")) == 1


def test_veo_downloads_the_shots_that_worked_when_one_failed(cli, providers):
    providers.set(fail_next=1)
    run = cli("--json", "veo", "submit", "--shots-json", '[{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y"}]', "--yes", "--follow")
    assert run.code == 5
    videos = {v["shot_id"]: v for v in run.of("video") if v["status"] != "processing"}
    assert videos["a"]["status"] == "failed" and "path" not in videos["a"]
    assert videos["b"]["status"] == "completed" and Path(videos["b"]["path"]).is_file()


def test_reattach_commands_of_ledger_jobs(cli, providers, ledger):
    from nemochat.app.provider_session import reattach_command

    cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    cli("--json", "veo", "submit", "--shots-json", '[{"id": "a", "prompt": "x"}]', "--yes")
    cli("--json", "gateway", "submit", "--prompt", "a cat", "--yes")
    with ledger() as book:
        gateway, veo, sora = book.jobs()
    assert reattach_command(sora) == f"nemochat sora status --task-id {sora.task_id} --follow"
    assert reattach_command(veo) == (f"nemochat veo status --task-ids-json '[{{\"shotId\":\"a\",\"taskId\":\"{veo.task_id}\"}}]' "
                                     "--resolution 720p --follow")
    assert reattach_command(gateway) == f"nemochat gateway status --id {gateway.task_id} --follow"
