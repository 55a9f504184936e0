"""Paid requests: a lost answer is never followed by a second submit; the
gateway's chat path streams, finds the URL, and is just as careful."""

from __future__ import annotations

import json

import pytest

SUBMITS = {
    "sora": (["sora", "submit", "--prompt", "a cat"], "/api/sora-2/generate"),
    "veo": (["veo", "submit", "--shots-json", json.dumps([{"prompt": "a beach"}])], "/api/veo-3/generate"),
    "gateway": (["gateway", "submit", "--prompt", "a cat"], "/v1/video/create"),
}


@pytest.mark.parametrize("name", SUBMITS)
def test_a_lost_submit_answer_never_produces_a_second_submit(cli, providers, ledger, name):
    argv, path = SUBMITS[name]
    providers.set(drop_submit=1)
    run = cli("--json", *argv, "--yes", "--follow")
    assert run.code == 5, run.out
    [error] = run.of("error")
    assert error["code"] == "submit_unknown"
    assert "NOT sent again" in error["message"]
    assert "before submitting again" in error["action"]
    assert len(providers.requests_to(path)) == 1  # exactly ONE submit reached the server
    assert len(providers.tasks) == 1
    assert run.of("video") == [{"type": "video", "provider": {"sora": "sora2", "veo": "veo3.1", "gateway": "gateway"}[name],
                                "task_id": None, "status": "unknown", "job_id": 1}]
    with ledger() as book:
        [job] = book.jobs()
    assert job.status == "unknown" and job.open


def test_chat_streams_the_content_and_finds_the_url(cli, providers, env):
    run = cli("--json", "gateway", "submit", "--prompt", "an astronaut dog", "--via", "chat", "--yes")
    assert run.code == 0, run.out
    [chat] = providers.requests_to("/v1/chat/completions")
    assert chat.json == {
        "model": "sora-2", "max_tokens": 1000, "messages": [{"role": "user", "content": "an astronaut dog"}],
        "tools": ["function:generate_animate"], "tool_choice": {"type": "function", "function": {"name": "generate_animate"}},
        "stream": True,
    }
    assert chat.key == env["SORA_GATEWAY_KEY"]
    [text] = run.of("text")
    assert "Progress: 80%" in text["text"] and "[Watch the video](" in text["text"]
    [video] = run.of("video")
    assert video["status"] == "completed" and video["url"].endswith(".mp4")
    assert video["path"].endswith(".mp4")


def test_chat_json_only_prints_the_stream_as_it_arrives(cli, providers):
    run = cli("gateway", "submit", "--prompt", "a dog", "--via", "chat", "--yes", "--json-only", "--no-download")
    assert run.code == 0
    stages = [json.loads(line) for line in run.out.splitlines()]
    assert [s["stage"] for s in stages[:-1]] == ["progress"] * (len(stages) - 1)
    assert stages[-1]["stage"] == "status" and stages[-1]["response"]["videoUrl"].endswith(".mp4")


def test_a_chat_stream_that_breaks_is_not_resent(cli, providers, ledger):
    providers.set(chat_drop=1)
    run = cli("--json", "gateway", "submit", "--prompt", "a dog", "--via", "chat", "--yes")
    assert run.code == 5
    assert run.of("error")[0]["code"] == "submit_unknown"
    assert len(providers.requests_to("/v1/chat/completions")) == 1
    with ledger() as book:
        assert book.jobs()[0].status == "unknown"


def test_url_in_text_and_find_video_url():
    from nemochat.clients.gateway import find_video_url, url_in_text

    assert url_in_text("Done! [Watch](https://cdn.x/v/1.mp4) (or https://x.org/page)") == "https://cdn.x/v/1.mp4"
    assert url_in_text("see https://cdn.x/a.mp4.") == "https://cdn.x/a.mp4"
    assert url_in_text("no link here") is None
    assert find_video_url({"data": {"output": {"url": "https://a/b.mp4"}, "thumb": "https://a/b.jpg"}}) == "https://a/b.mp4"
    assert find_video_url({"id": "x", "video_url": "https://a/b"}) == "https://a/b"


def test_json_only_prints_the_scripts_stages(cli, providers):
    run = cli("sora", "submit", "--prompt", "a cat", "--yes", "--follow", "--json-only", "--no-download")
    assert run.code == 0
    stages = [json.loads(line) for line in run.out.splitlines()]
    assert [s["stage"] for s in stages] == ["submitted", "progress", "progress", "status"]
    assert stages[0]["response"]["taskId"] and stages[-1]["response"]["status"] == "completed"
    assert "still processing" in run.err  # people read stderr


def test_submit_without_follow_says_how_to_follow(cli, providers):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    assert run.code == 0
    [video] = run.of("video")
    assert video["status"] == "processing"
    assert any(f"nemochat sora status --task-id {video['task_id']} --follow" in n["message"] for n in run.of("notice"))
    assert not providers.requests_to("/api/sora-2/check-status")
