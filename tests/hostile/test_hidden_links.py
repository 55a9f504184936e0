"""a link's target is always what the person sees (ask on a terminal, the REPL)."""

from __future__ import annotations

import json

from links_helpers import hyperlinks
from hostile_server import envelope, sse_reply

PHISH = "Claim it: [https://nemovideo.com/workspace/claim](http://evil.example/phish) ![https://nemovideo.com/logo](http://evil.example/img)"


def _agent_says(hostile, text: str) -> None:
    hostile.route("POST", "/run_sse", sse_reply(json.dumps({"content": {"parts": [{"text": text}]}, "partial": False})))


def _honest(raw: str) -> list[tuple[str, str]]:
    links = hyperlinks(raw)
    assert all(target == shown for target, shown in links), links
    return links


def test_ask_on_a_terminal_shows_where_each_link_goes(hostile, in_pty):
    _agent_says(hostile, PHISH + " <https://nemovideo.com/ok>")
    # a claim token with a space must not swap the target of the project link
    hostile.route("POST", "/api/auth/claim-token", envelope({"claim_token": "clm_a link http://evil.example/claim"}))
    raw = in_pty("ask", "hello")
    links = _honest(raw)
    assert ("http://evil.example/phish", "http://evil.example/phish") in links  # the real target, shown
    assert ("https://nemovideo.com/ok", "https://nemovideo.com/ok") in links  # an honest link stays a link
    assert "https://nemovideo.com/workspace/claim" in raw  # the text is kept, without the link


def test_the_repl_shows_where_each_link_goes(hostile, in_pty):
    _agent_says(hostile, PHISH + " done-marker")
    raw = in_pty(steps=((r"Ready", "hello"), (r"done-marker", "/quit")))
    links = _honest(raw)
    assert ("http://evil.example/phish", "http://evil.example/phish") in links
