"""Every NanoPhoto and gateway error code, answered by the simulator over
loopback, becomes the right typed error and exit code; the ledger keeps the
job with its outcome."""

from __future__ import annotations

import json

import pytest

SORA = ["sora", "submit", "--prompt", "a cat", "--yes", "--follow", "--no-download"]
VEO = ["veo", "submit", "--shots-json", json.dumps([{"id": "s1", "prompt": "a beach"}]), "--yes", "--follow", "--no-download"]

SUBMIT_CODES = [
    ("LOGIN_REQUIRED", 3),
    ("INSUFFICIENT_CREDITS", 4),
    ("PROMPT_REQUIRED", 2),
    ("IMAGE_REQUIRED", 2),
    ("IMAGE_URLS_REQUIRED", 2),
    ("SHOTS_REQUIRED", 2),
    ("INVALID_IMAGE_COUNT", 2),
    ("TASK_ID_REQUIRED", 2),
    ("TASK_IDS_REQUIRED", 2),
    ("TASK_NOT_FOUND", 2),
    ("GENERATION_FAILED", 5),
    ("INTERNAL_ERROR", 5),
]


@pytest.mark.parametrize("argv", [SORA, VEO], ids=["sora", "veo"])
@pytest.mark.parametrize("code, exit_code", SUBMIT_CODES)
def test_submit_error_codes(cli, providers, ledger, argv, code, exit_code):
    path = "/api/sora-2/generate" if argv[0] == "sora" else "/api/veo-3/generate"
    providers.arm_error(code, path=path)
    run = cli("--json", *argv)
    assert run.code == exit_code, run.out
    [error] = run.of("error")
    assert error["code"] == code
    assert len(providers.requests_to(path)) == 1  # a refusal is final: never sent again
    assert not providers.requests_to("/api/sora-2/check-status") and not providers.requests_to("/api/veo-3/check-status")
    with ledger() as book:
        [job] = book.jobs()
    assert job.status == "failed" and job.error


def test_insufficient_credits_says_how_many(cli, providers):
    providers.credits["np-test-key-123456"] = 2
    run = cli("--json", *SORA)
    assert run.code == 4
    [error] = run.of("error")
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert "this needs 4" in error["message"]


def test_rate_limited_submit_is_sent_again_after_retry_after(cli, providers):
    providers.arm_rate_limit(retry_after=0, path="/api/sora-2/generate", times=2)
    run = cli("--json", *SORA)
    assert run.code == 0, run.out
    assert len(providers.requests_to("/api/sora-2/generate")) == 3  # two refusals, then accepted
    assert len(providers.tasks) == 1


def test_rate_limit_that_never_ends_gives_up(cli, providers):
    providers.arm_error("API_KEY_RATE_LIMIT_EXCEEDED", path="/api/sora-2/generate", times=None)
    run = cli("--json", *SORA)
    assert run.code == 5
    assert run.of("error")[0]["code"] == "API_KEY_RATE_LIMIT_EXCEEDED"
    assert len(providers.requests_to("/api/sora-2/generate")) == 3
    assert providers.tasks == {}


@pytest.mark.parametrize("code, exit_code", [("LOGIN_REQUIRED", 3), ("TASK_NOT_FOUND", 2), ("TASK_ID_REQUIRED", 2)])
def test_status_errors_that_end_the_follow(cli, providers, code, exit_code):
    providers.arm_error(code, path="/api/sora-2/check-status")
    run = cli("--json", *SORA)
    assert run.code == exit_code
    assert run.of("error")[0]["code"] == code


@pytest.mark.parametrize("code", ["INTERNAL_ERROR", "API_KEY_RATE_LIMIT_EXCEEDED"])
def test_status_errors_that_mean_ask_again(cli, providers, code):
    providers.arm_error(code, path="/api/sora-2/check-status", times=2)
    run = cli("--json", *SORA)
    assert run.code == 0, run.out
    assert run.of("video")[-1]["status"] == "completed"
    assert len(providers.requests_to("/api/sora-2/check-status")) == 3 + 2


def test_status_answers_that_never_arrive_mean_ask_again(cli, providers):
    providers.set(status_5xx=1, status_drop=2)
    run = cli("--json", *SORA)
    assert run.code == 0, run.out
    assert len(providers.requests_to("/api/sora-2/check-status")) == 3 + 3
    assert any("asking again" in n["message"] for n in run.of("notice"))


def test_unknown_task_id_on_status(cli, providers):
    run = cli("--json", "sora", "status", "--task-id", "task_nope")
    assert run.code == 2
    assert run.of("error")[0]["code"] == "TASK_NOT_FOUND"


def test_a_failed_task_is_refunded_and_exits_5(cli, providers, ledger, env):
    key = env["NANOPHOTO_API_KEY"]
    providers.set(fail_next=1)
    run = cli("--json", *SORA)
    assert run.code == 5
    assert run.of("error")[0]["code"] == "GENERATION_FAILED"
    assert "refund" in run.of("error")[0]["action"]
    assert run.of("video")[-1]["status"] == "failed"
    assert providers.balance(key) == providers.starting_credits  # charged 4, then given back
    with ledger() as book:
        assert book.jobs()[0].status == "failed"


# -- the gateway ----------------------------------------------------------------------------

GATEWAY = ["gateway", "submit", "--prompt", "a cat", "--yes", "--follow", "--no-download"]


@pytest.mark.parametrize(
    "code, exit_code",
    [("invalid_api_key", 3), ("insufficient_quota", 4), ("invalid_request_error", 2), ("server_error", 5), ("not_found", 2)],
)
def test_gateway_create_errors(cli, providers, code, exit_code):
    providers.arm_error(code, path="/v1/video/create")
    run = cli("--json", *GATEWAY)
    assert run.code == exit_code, run.out
    assert len(providers.requests_to("/v1/video/create")) == 1


def test_gateway_rate_limit_is_retried(cli, providers):
    providers.arm_rate_limit(retry_after=0, path="/v1/video/create")
    run = cli("--json", *GATEWAY)
    assert run.code == 0
    assert len(providers.requests_to("/v1/video/create")) == 2


def test_gateway_query_not_found(cli, providers):
    run = cli("--json", "gateway", "status", "--id", "sora-2:task_nope")
    assert run.code == 2


def test_gateway_sends_every_field_and_the_key(cli, providers, env):
    run = cli("--json", *GATEWAY, "--model", "sora-2-pro", "--duration", "15", "--orientation", "landscape")
    assert run.code == 0
    [create] = providers.requests_to("/v1/video/create")
    assert create.json == {"images": [], "model": "sora-2-pro", "orientation": "landscape", "prompt": "a cat", "size": "large", "duration": 15}
    assert create.key == env["SORA_GATEWAY_KEY"]
    assert all(r.query.startswith("id=") for r in providers.requests_to("/v1/video/query"))


def test_gateway_second_answer_shape_and_query_path(cli, providers):
    providers.set(query_shape=2)
    run = cli("--json", *GATEWAY, "--query-path", "v1/video/query")
    assert run.code == 0
    assert run.of("video")[-1]["url"].endswith(".mp4")


def test_a_failed_gateway_video_does_not_speak_of_nanophoto(cli, providers):
    providers.set(fail_next=1)  # refunds and the dashboard are NanoPhoto's, not a gateway's
    run = cli("--json", *GATEWAY)
    assert run.code == 5
    [error] = run.of("error")
    assert "NanoPhoto" not in error["message"] + error["action"] and "Try again" in error["action"]
