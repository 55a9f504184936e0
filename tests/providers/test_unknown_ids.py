"""A mistyped task id in `sora|veo|gateway status` is bad input: one line
naming the id, exit 2, and nothing written to the ledger (before, an open
"submitted" job stayed behind for every typo)."""

from __future__ import annotations

import pytest

STATUS = {
    "sora2": (["sora", "status", "--task-id", "task_typo"], "/api/sora-2/check-status"),
    "veo3.1": (["veo", "status", "--task-ids-json", '[{"shotId": "s1", "taskId": "task_typo"}]'], "/api/veo-3/check-status"),
    "gateway": (["gateway", "status", "--id", "task_typo"], "/v1/video/query"),
}


@pytest.mark.parametrize("follow", [False, True], ids=["once", "follow"])
@pytest.mark.parametrize("kind", list(STATUS))
def test_an_unknown_id_is_exit_2_and_leaves_no_job(cli, providers, ledger, kind, follow):
    argv, path = STATUS[kind]
    run = cli("--json", *argv, *(["--follow"] if follow else []))
    assert run.code == 2, run.out + run.err
    [error] = run.of("error")
    assert error["code"] == "TASK_NOT_FOUND" and error["action"] == ""
    assert "task_typo" in error["message"] and "\n" not in error["message"]
    assert f"nemochat jobs --kind {kind}" in error["message"]
    assert run.of("video") == [] and "Traceback" not in run.err
    assert len(providers.requests_to(path)) == 1, "asked once, not polled"
    with ledger() as book:
        assert book.jobs() == []


def test_the_rich_view_says_it_in_one_line(cli, providers):
    run = cli("sora", "status", "--task-id", "task_typo")
    errors = [line for line in (run.out + run.err).splitlines() if line.startswith("✗")]
    assert run.code == 2 and len(errors) == 1 and "Sora 2 knows no task task_typo" in " ".join((run.out + run.err).split())
    assert "Traceback" not in run.err


def test_the_repl_command_is_the_same(cli, providers, ledger):
    """/sora status in the chat runs the same code (run_in_runtime)."""
    import asyncio

    from nemochat.app.runtime import open_runtime
    from nemochat.app.provider_run import run_in_runtime
    from nemochat.errors import UsageError
    from nemochat.settings import Settings

    class Quiet:
        def emit(self, event): pass
        def error(self, error): pass
        def done(self): pass

    async def scenario():
        async with open_runtime(Settings.load(), view=Quiet()) as rt:
            await run_in_runtime(rt, "sora2", ["status", "--task-id", "task_typo"])

    with pytest.raises(UsageError, match="task_typo"):
        asyncio.run(scenario())
    with ledger() as book:
        assert book.jobs() == []


def test_no_answer_first_then_unknown_still_leaves_no_job(cli, providers, ledger):
    providers.set(status_5xx=1)
    run = cli("--json", "sora", "status", "--task-id", "task_typo", "--follow")
    assert run.code == 2 and run.of("error")[0]["code"] == "TASK_NOT_FOUND"
    assert len(providers.requests_to("/api/sora-2/check-status")) == 2  # asked again after the 5xx
    with ledger() as book:
        assert book.jobs() == []


def test_once_without_an_answer_says_so_and_leaves_no_job(cli, providers, ledger):
    providers.set(status_5xx=1)
    run = cli("--json", "sora", "status", "--task-id", "task_typo")
    [error] = run.of("error")
    assert run.code == 5 and "the task is unaffected" in error["message"]
    assert "Try again: nemochat sora status --task-id task_typo" in error["action"]
    with ledger() as book:
        assert book.jobs() == []


def test_a_real_id_with_a_slow_first_answer_is_adopted(cli, providers, ledger):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    task_id = run.of("video")[0]["task_id"]
    with ledger() as book:
        book._conn.execute("DELETE FROM job_tasks")
        book._conn.execute("DELETE FROM jobs")  # as if submitted by NanoPhoto's own script
    providers.set(status_5xx=1)
    run = cli("--json", "sora", "status", "--task-id", task_id, "--follow", "--no-download")
    assert run.code == 0, run.out + run.err
    with ledger() as book:
        [job] = book.jobs()
    assert job.task_id == task_id and job.status == "completed" and job.params.get("attached")


def test_a_ledger_job_the_key_no_longer_has_is_closed_as_expired(cli, providers, ledger):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    task_id = run.of("video")[0]["task_id"]
    providers.arm_error("TASK_NOT_FOUND", path="/api/sora-2/check-status")  # NanoPhoto forgot it
    run = cli("--json", "sora", "status")  # the newest open job of the ledger
    assert run.code == 2 and task_id in run.of("error")[0]["message"]
    with ledger() as book:
        [job] = book.jobs()
        assert book.jobs(open_only=True) == []
    assert job.status == "expired" and "no longer knows" in job.error
    run = cli("--json", "sora", "status")
    assert run.code == 2 and "no open sora2 job" in run.of("error")[0]["message"]


def test_another_key_does_not_close_the_job(cli, providers, ledger):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    task_id = run.of("video")[0]["task_id"]
    run = cli("--json", "sora", "status", "--task-id", task_id, "--api-key", "np-other-key-000")
    assert run.code == 2  # NanoPhoto answers per key: this one has no such task
    with ledger() as book:
        [job] = book.jobs()
    assert job.open and job.status != "expired"


def test_a_gateway_404_leaves_a_known_job_alone(cli, providers, ledger):
    """A gateway's 404 may only mean a wrong --query-path: the job stays open."""
    run = cli("--json", "gateway", "submit", "--prompt", "a cat", "--yes")
    task_id = run.of("video")[0]["task_id"]
    run = cli("--json", "gateway", "status", "--id", task_id, "--query-path", "/v1/no/such/path")
    assert run.code == 2 and task_id in run.of("error")[0]["message"]
    with ledger() as book:
        [job] = book.jobs()
    assert job.open
