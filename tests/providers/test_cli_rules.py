"""Every rule, through the real command line: exit 2, a message naming the
rule, and not one request to any backend (the simulator's logs stay empty)."""

from __future__ import annotations

import json

import pytest

SHOT = {"id": "s1", "prompt": "a beach", "generationType": "TEXT_2_VIDEO", "aspectRatio": "16:9"}


def shots(*items) -> str:
    return json.dumps(list(items))


CASES = [
    (["sora", "submit"], "PROMPT_REQUIRED"),
    (["sora", "submit", "--prompt", "x", "--mode", "magic"], "SORA_MODE"),
    (["sora", "submit", "--prompt", "x", "--model-tier", "sora3"], "SORA_MODEL_TIER"),
    (["sora", "submit", "--prompt", "x", "--aspect-ratio", "square"], "SORA_ASPECT_RATIO"),
    (["sora", "submit", "--prompt", "x", "--video-duration", "12"], "SORA_DURATION"),
    (["sora", "submit", "--prompt", "x", "--mode", "imageToVideo"], "IMAGE_REQUIRED"),
    (["sora", "submit", "--prompt", "x", "--mode", "textToVideo", "--image-url", "https://a.b/c.png"], "SORA_TEXT_NO_IMAGES"),
    (["sora", "submit", "--prompt", "x", "--image-url", "cat.png"], "IMAGE_URLS_REQUIRED"),
    (["veo", "submit"], "SHOTS_REQUIRED"),
    (["veo", "submit", "--shots-json", "[{oops"], "SHOTS_REQUIRED"),
    (["veo", "submit", "--shots-json", shots(*[{**SHOT, "id": f"s{n}"} for n in range(22)])], "VEO_TOO_MANY_SHOTS"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "prompt": ""})], "PROMPT_REQUIRED"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "imageUrls": ["https://a.b/c.png"]})], "INVALID_IMAGE_COUNT"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO"})], "INVALID_IMAGE_COUNT"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "generationType": "REFERENCE_2_VIDEO", "imageUrls": ["https://a.b/c.png"] * 4})], "INVALID_IMAGE_COUNT"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "aspectRatio": "4:3"})], "VEO_ASPECT_RATIO"),
    (["veo", "submit", "--shots-json", shots(SHOT, {**SHOT, "id": "s2"}), "--resolution", "1080p"], "VEO_RESOLUTION_SINGLE_SHOT"),
    (["veo", "submit", "--shots-json", shots(SHOT, {**SHOT, "id": "s2"}), "--resolution", "4k"], "VEO_RESOLUTION_SINGLE_SHOT"),
    (["veo", "submit", "--shots-json", shots(SHOT), "--resolution", "8k"], "VEO_RESOLUTION"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "generationType": "REFERENCE_2_VIDEO", "imageUrls": ["/tmp/a.png"]})], "IMAGE_URLS_REQUIRED"),
    (["veo", "submit", "--shots-json", shots({**SHOT, "duration": 5})], "VEO_SHOT_DURATION"),
    (["veo", "submit", "--shots-json", shots(SHOT, {**SHOT, "id": "s2", "duration": "16s"})], "VEO_SHOT_DURATION"),
    (["veo", "status", "--task-ids-json", "[]"], "TASK_IDS_REQUIRED"),
    (["veo", "status", "--task-ids-json", '[{"shotId": "s1"}]'], "TASK_IDS_REQUIRED"),
    (["gateway", "submit"], "PROMPT_REQUIRED"),
    (["gateway", "submit", "--prompt", "x", "--model", "sora-3"], "GATEWAY_MODEL"),
    (["gateway", "submit", "--prompt", "x", "--model", "sora-2-pro", "--size", "small"], "GATEWAY_PRO_SIZE"),
    (["gateway", "submit", "--prompt", "x", "--size", "xl"], "GATEWAY_SIZE"),
    (["gateway", "submit", "--prompt", "x", "--orientation", "square"], "GATEWAY_ORIENTATION"),
    (["gateway", "submit", "--prompt", "x", "--duration", "20"], "GATEWAY_DURATION"),
    (["gateway", "submit", "--prompt", "x", "--image-url", "./a.png"], "IMAGE_URLS_REQUIRED"),
    (["gateway", "submit", "--prompt", "x", "--via", "chat", "--image-url", "https://a.b/c.png"], "GATEWAY_CHAT_NO_IMAGES"),
    (["sora", "status"], "TASK_ID_REQUIRED"),  # nothing in the ledger to re-attach to
    (["gateway", "status"], "TASK_ID_REQUIRED"),
]


@pytest.mark.parametrize("argv, rule", CASES, ids=[f"{a[0]}-{rule}-{n}" for n, (a, rule) in enumerate(CASES)])
def test_rule_refused_before_any_request(cli, sim, providers, argv, rule):
    run = cli("--json", *argv, "--yes")
    assert run.code == 2, run.out + run.err
    [error] = run.of("error")
    assert error["code"] == rule
    assert "rule" in error["message"] or "Pass" in error["message"]
    assert providers.requests == []
    assert sim.world.requests == []  # not even NemoVideo was asked anything


def test_a_veo_shot_length_other_than_8_s_names_the_rule_and_the_shot(cli, providers):
    run = cli("veo", "submit", "--shots-json", shots({**SHOT, "id": "intro", "duration": 10}), "--yes")
    assert run.code == 2 and providers.requests == []
    shown = " ".join(run.err.split())  # an error: on stderr, nothing on stdout
    assert "Veo rule: every shot is 8 s (shot 'intro' asks for duration=10)" in shown and run.out == ""


def test_human_output_names_the_rule(cli, providers):
    run = cli("sora", "submit", "--prompt", "x", "--video-duration", "12", "--yes")
    assert run.code == 2
    assert "Sora rule: --video-duration must be 10 or 15 seconds" in run.err and run.out == ""
    assert providers.requests == []


def test_local_image_without_upload_local_is_refused(cli, providers, tmp_path):
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG")
    run = cli("--json", "sora", "submit", "--prompt", "x", "--image-url", str(image), "--yes")
    assert run.code == 2
    [error] = run.of("error")
    assert error["code"] == "IMAGE_URLS_REQUIRED" and "--upload-local" in error["action"]
    assert providers.requests == []


def test_missing_local_file_with_upload_local_is_refused_before_any_request(cli, sim, providers, tmp_path):
    run = cli("--json", "sora", "submit", "--prompt", "x", "--image-url", str(tmp_path / "nope.png"), "--upload-local", "--yes")
    assert run.code == 2
    assert "no such file" in run.of("error")[0]["message"]
    assert providers.requests == [] and sim.world.requests == []


def test_without_a_terminal_and_without_yes_nothing_is_spent(cli, providers):
    run = cli("--json", "sora", "submit", "--prompt", "a cat")
    assert run.code == 2
    [error] = run.of("error")
    assert error["code"] == "confirm_required"
    assert "4 NanoPhoto credits" in error["message"] and "--yes" in error["action"]
    assert providers.requests == []


def test_cost_is_shown_before_spending(cli, providers, env):
    providers.credits[env["NANOPHOTO_API_KEY"]] = 1000
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--model-tier", "sora2-pro-high", "--video-duration", "15", "--yes")
    assert run.code == 0
    assert any("240 NanoPhoto credits" in n["message"] for n in run.of("notice"))


def test_missing_key_is_exit_3_before_any_request(cli, providers, monkeypatch):
    monkeypatch.delenv("NANOPHOTO_API_KEY")
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    assert run.code == 3
    assert run.of("error")[0]["code"] == "LOGIN_REQUIRED"
    assert providers.requests == []


def test_missing_gateway_is_exit_2(cli, providers, monkeypatch):
    monkeypatch.delenv("SORA_GATEWAY_URL")
    run = cli("--json", "gateway", "submit", "--prompt", "a cat", "--yes")
    assert run.code == 2
    assert "SORA_GATEWAY_URL" in run.of("error")[0]["action"]
    assert providers.requests == []


def test_argparse_requires_an_action(cli):
    assert cli("sora").code == 2


@pytest.mark.parametrize("argv", [["veo", "submit", "--poll-interval", "3"], ["--poll-interval", "3", "veo", "submit"]])
def test_poll_interval_works_before_or_after_the_command(argv):
    from nemochat.commands.parser import build_parser
    from nemochat.commands.common import settings_from

    args = build_parser().parse_args(argv)
    assert settings_from(args).poll_interval == 3.0


def test_status_flags_reach_the_policy():
    from nemochat.commands.parser import build_parser

    args = build_parser().parse_args(["sora", "submit", "--prompt", "x", "--initial-status-delay", "5", "--status-check-interval", "6", "--max-wait", "70"])
    assert (args.initial_status_delay, args.status_check_interval, args.max_wait) == (5.0, 6.0, 70.0)
