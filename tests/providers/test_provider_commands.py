"""The provider commands' definitions: the flags users and completion rely
on, and the public functions the chat's /sora, /veo and /gateway use."""

from __future__ import annotations

import argparse
import ast
import inspect

import pytest

from nemochat.app import provider_flags
from nemochat.commands import providers
from nemochat.errors import UsageError


def _submit_flags(define) -> list[str]:
    parser = argparse.ArgumentParser()
    define(parser)
    [actions] = parser._subparsers._group_actions  # the submit/status actions
    return [a.option_strings[-1] for a in actions.choices["submit"]._actions if a.option_strings]


def test_sora_submit_flags_mirror_nanophotos_script_in_order():
    flags = _submit_flags(providers.sora_args)
    assert flags[:7] == ["--help", "--prompt", "--mode", "--model-tier", "--aspect-ratio", "--video-duration", "--image-url"]
    assert {"--initial-status-delay", "--status-check-interval", "--api-key", "--follow", "--upload-local"} <= set(flags)


def test_gateway_submit_flags_in_order():
    flags = _submit_flags(providers.gateway_args)
    assert flags[:7] == ["--help", "--prompt", "--model", "--orientation", "--size", "--duration", "--image-url"]
    assert {"--via", "--query-path", "--follow", "--upload-local"} <= set(flags)
    assert "--api-key" not in flags  # the gateway's key is SORA_GATEWAY_KEY


def test_image_url_repeats_on_both():
    for kind in ("sora2", "gateway"):
        args = provider_flags.parse_chat_command(kind, ["submit", "--prompt", "x", "--image-url", "https://a.b/1.png", "--image-url", "https://a.b/2.png"])
        assert args.image_url == ["https://a.b/1.png", "https://a.b/2.png"]


def test_a_bad_chat_use_is_one_usage_error():
    with pytest.raises(UsageError, match=r"^/veo: unrecognized arguments: --nope \(/veo submit --help lists the flags\)$"):
        provider_flags.parse_chat_command("veo3.1", ["submit", "--nope"])
    for cli_only in ("--demo", "--token", "--api-base", "--json-only"):  # command-line flags mean nothing in the chat
        with pytest.raises(UsageError, match="unrecognized arguments"):
            provider_flags.parse_chat_command("sora2", ["submit", "--prompt", "a fox", cli_only])


def test_veo_prompt_makes_one_shot():
    args = provider_flags.parse_chat_command("veo3.1", ["submit", "--prompt", "a red fox", "--aspect-ratio", "9:16", "--resolution", "1080p"])
    request, _ = provider_flags.checked_request("veo3.1", args)
    [shot] = request.shots
    assert (shot.prompt, shot.aspect_ratio, request.resolution) == ("a red fox", "9:16", "1080p")
    both = provider_flags.parse_chat_command("veo3.1", ["submit", "--prompt", "a", "--shots-json", '[{"prompt": "b"}]'])
    with pytest.raises(UsageError, match="one or the other"):
        provider_flags.checked_request("veo3.1", both)


def test_chat_help_lists_only_what_applies_in_the_chat():
    text = provider_flags.chat_help("veo3.1", "submit")
    assert "--prompt" in text and "--aspect-ratio" in text and "--resolution" in text
    for cli_only in ("--demo", "--token", "--api-base", "--json-only", "--follow", "-h, --help"):
        assert cli_only not in text


def test_checked_request_and_its_price():
    args = provider_flags.parse_chat_command("sora2", ["submit", "--prompt", "a fox", "--video-duration", "15"])
    request, local = provider_flags.checked_request("sora2", args)
    assert (request.video_duration, local) == ("15", []) and provider_flags.price_of(request) == "8 NanoPhoto credits"
    args = provider_flags.parse_chat_command("gateway", ["submit", "--prompt", "a fox"])
    assert provider_flags.price_of(provider_flags.checked_request("gateway", args)[0]) == "whatever your gateway charges"


def test_the_chat_uses_only_public_names_of_the_commands():
    from nemochat.repl import providers as chat

    tree = ast.parse(inspect.getsource(chat))
    used = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.module in ("nemochat.app.provider_flags", "nemochat.app.provider_run") for alias in node.names}
    assert used and not [name for name in used if name.startswith("_")]
