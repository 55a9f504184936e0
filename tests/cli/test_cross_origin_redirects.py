"""Credentials and ids never cross origins: an API answer redirecting to
another origin is not followed."""

from __future__ import annotations

import json

import pytest
from rogue_server import Reply, rogue_server

TOKEN = "nmv_usr_given2"


def token_answer(request):
    return Reply(200, json.dumps({"code": 0, "data": {"token": "nmv_usr_elsewh", "user_id": "u", "expires_at": 4102444800}}))


@pytest.mark.parametrize("args", [(), ("--token", TOKEN)], ids=["token request", "authed call"])
def test_a_redirect_to_another_origin_is_not_followed(nemochat, args):
    with rogue_server(token_answer) as elsewhere, rogue_server(
        lambda request: Reply(307, "", {"Location": elsewhere.url + request.path})
    ) as api:
        result = nemochat("credits", "--api-base", api.url, *args)
        assert elsewhere.seen == []  # no X-Client-Id, no Authorization, nothing
        assert api.seen, "the request went to the API first"
    assert result.returncode == 5, result.stderr
    assert "redirected" in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_a_redirect_on_the_same_origin_is_followed(nemochat):
    def answer(request):
        if request.path.startswith("/moved"):
            return Reply(200, json.dumps({"code": 0, "data": {"available": 7, "frozen": 0, "total": 7}}))
        return Reply(307, "", {"Location": "/moved" + request.path})

    with rogue_server(answer) as api:
        result = nemochat("credits", "--api-base", api.url, "--token", TOKEN)
    assert result.returncode == 0, result.stderr
    assert "7 available" in result.stdout
