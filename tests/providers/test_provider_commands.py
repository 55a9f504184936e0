"""The provider commands' definitions: the flags users and completion rely
on, and the public functions the chat's /sora, /veo and /gateway use."""

from __future__ import annotations

import argparse
import ast
import inspect

import pytest

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
        args = providers.parse_chat_command(kind, ["submit", "--prompt", "x", "--image-url", "https://a.b/1.png", "--image-url", "https://a.b/2.png"])
        assert args.image_url == ["https://a.b/1.png", "https://a.b/2.png"]


def test_a_bad_chat_use_is_one_usage_error():
    with pytest.raises(UsageError, match="/veo: submit --nope is not a valid use"):
        providers.parse_chat_command("veo3.1", ["submit", "--nope"])


def test_checked_request_and_its_price():
    args = providers.parse_chat_command("sora2", ["submit", "--prompt", "a fox", "--video-duration", "15"])
    request, local = providers.checked_request("sora2", args)
    assert (request.video_duration, local) == ("15", []) and providers.price_of(request) == "8 NanoPhoto credits"
    args = providers.parse_chat_command("gateway", ["submit", "--prompt", "a fox"])
    assert providers.price_of(providers.checked_request("gateway", args)[0]) == "whatever your gateway charges"


def test_the_chat_uses_only_public_names_of_the_commands():
    from nemochat.repl import providers as chat

    tree = ast.parse(inspect.getsource(chat))
    used = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "nemochat.commands.providers"
            for alias in node.names}
    used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and isinstance(node.value, ast.Name) and node.value.id == "providers"}
    assert used and not [name for name in used if name.startswith("_")]
