"""`sora`, `veo` and `gateway` without --json: the video (its task, URL and
file) on stdout, everything about getting it (the cost, "still
processing", the download bar, errors) on stderr, as every one-shot command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SUBMITS = {
    "sora": ["sora", "submit", "--prompt", "a cat"],
    "veo": ["veo", "submit", "--shots-json", json.dumps([{"prompt": "a beach"}])],
    "gateway": ["gateway", "submit", "--prompt", "a cat"],
}


@pytest.mark.parametrize("name", SUBMITS)
def test_a_followed_video_is_the_only_thing_on_stdout(cli, providers, name):
    run = cli(*SUBMITS[name], "--yes", "--follow")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert [line for line in lines if line.startswith("✓ Video ready")], run.out
    [saved] = [line.split("Saved ", 1)[1] for line in lines if line.strip().startswith("Saved ")]
    assert Path(saved).is_file() and Path(saved).parent == Path.cwd()
    assert any(line.strip().startswith("URL: http") for line in lines)
    assert "Submitting" in run.err and "Downloading" in run.err
    assert "Submitting" not in run.out and "Downloading" not in run.out and "still processing" not in run.out


def test_a_submit_without_follow_prints_its_task_on_stdout(cli, providers):
    run = cli("gateway", "submit", "--prompt", "a cat", "--yes")
    assert run.code == 0, run.err
    [task] = [task.task_id for task in providers.tasks.values()]
    assert run.out.splitlines() == [f"→ the gateway: task {task} is processing"]
    assert f"nemochat gateway status --id {task} --follow" in run.err


def test_a_provider_error_is_on_stderr_only(cli, providers):
    providers.set(drop_submit=1)
    run = cli("sora", "submit", "--prompt", "a cat", "--yes", "--follow")
    assert run.code == 5
    assert "NOT sent again" in run.err and "NOT sent again" not in run.out
