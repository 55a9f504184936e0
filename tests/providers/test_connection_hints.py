"""When a provider cannot be reached, the hint names the setting that points
at that provider: NANOPHOTO_API_URL for Sora/Veo, SORA_GATEWAY_URL for the
gateway; never --api-base, which is NemoVideo's."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def closed_url() -> str:
    """A loopback address where nothing listens (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("argv", [
    ["sora", "submit", "--prompt", "a cat", "--yes"],
    ["veo", "submit", "--shots-json", '[{"prompt": "a cat"}]', "--yes"],
    ["sora", "status", "--task-id", "task_1"],
], ids=["sora-submit", "veo-submit", "sora-status"])
def test_nanophoto_unreachable_points_at_its_own_setting(cli, providers, monkeypatch, closed_url, argv):
    monkeypatch.setenv("NANOPHOTO_API_URL", closed_url)
    run = cli("--json", *argv)
    [error] = run.of("error")
    assert run.code == 5 and "could not connect" in error["message"]
    assert f"NANOPHOTO_API_URL (config key nanophoto_api_base), now {closed_url}" in error["action"]
    assert "--api-base" not in error["action"] and "--api-base" not in run.err


def test_the_human_view_shows_the_nanophoto_hint(cli, providers, monkeypatch, closed_url):
    monkeypatch.setenv("NANOPHOTO_API_URL", closed_url)
    run = cli("sora", "submit", "--prompt", "a cat", "--yes")
    shown = " ".join((run.out + run.err).split())
    assert run.code == 5 and "NANOPHOTO_API_URL" in shown and "--api-base" not in shown


def test_gateway_unreachable_points_at_its_own_setting(cli, providers, monkeypatch, closed_url):
    monkeypatch.setenv("SORA_GATEWAY_URL", closed_url + "/v1")
    run = cli("--json", "gateway", "submit", "--prompt", "a cat", "--yes")
    [error] = run.of("error")
    assert run.code == 5 and f"SORA_GATEWAY_URL (config key gateway_url), now {closed_url}" in error["action"]
    assert "--api-base" not in error["action"]


def test_no_credentials_of_the_url_are_shown(cli, providers, monkeypatch, closed_url):
    monkeypatch.setenv("NANOPHOTO_API_URL", closed_url.replace("http://", "http://someone:pw-not-shown@"))
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    assert run.code == 2 and "pw-not-shown" not in run.out + run.err  # refused before any request
