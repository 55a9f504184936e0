"""Retry-After is bounded (retry_after_max, 60 s by default).

A longer wait is not made: the command says when to try again and exits 5.
Every format is read: seconds, an HTTP date, negative, nan, inf, garbage."""

from __future__ import annotations

import math

import pytest
from hostile_server import Reply, envelope, json_reply

from nemochat.clients.bounds import parse_retry_after, retry_wait
from nemochat.errors import RateLimited

LONG = ["1e9", "Fri, 01 Jan 2099 00:00:00 GMT"]  # (more formats: the last test, without a process each)
SHORT_OR_UNREADABLE = ["nan", "-5"]


def _limited_once(hostile, method: str, path: str, retry_after: str, then: Reply) -> None:
    answers = [json_reply({"code": 429, "message": "slow down"}, 429, **{"Retry-After": retry_after}), then]
    hostile.route(method, path, lambda request: answers.pop(0) if len(answers) > 1 else answers[0])


@pytest.mark.parametrize("value", LONG)
def test_a_long_retry_after_is_not_waited_for_credits(hostile, nemochat, value):
    _limited_once(hostile, "GET", "/api/credits/balance/simple", value, envelope({"available": 5, "frozen": 0, "total": 5}))
    result = nemochat("credits")  # waiting would outlast this
    assert result.returncode == 5, result.stderr
    assert "Try again" in result.stderr and "retrying in" not in result.stderr
    assert hostile.paths().count("/api/credits/balance/simple") == 1


@pytest.mark.parametrize("value", SHORT_OR_UNREADABLE)
def test_a_short_or_unreadable_retry_after_is_one_short_wait(hostile, nemochat, value):
    _limited_once(hostile, "GET", "/api/credits/balance/simple", value, envelope({"available": 5, "frozen": 0, "total": 5}))
    result = nemochat("credits")
    assert result.returncode == 0, result.stderr
    assert "5" in result.stdout and "unexpected" not in result.stderr


def test_a_long_retry_after_on_run_sse_is_not_waited(hostile, nemochat):
    _limited_once(hostile, "POST", "/run_sse", "Fri, 01 Jan 2099 00:00:00 GMT", json_reply({"detail": "x"}, 500))
    result = nemochat("ask", "hello")
    assert result.returncode == 5, result.stderr
    assert "Try again" in result.stderr
    assert hostile.paths().count("/run_sse") == 1


def test_a_long_retry_after_on_sora_submit_is_not_waited_and_nothing_is_spent(hostile, nemochat):
    _limited_once(hostile, "POST", "/api/sora-2/generate", "1e9", json_reply({"success": True, "data": {"taskId": "x"}}))
    result = nemochat("sora", "submit", "--prompt", "a cat", "--yes",
                      env={"NANOPHOTO_API_URL": "", "NANOPHOTO_API_KEY": "sk-hostilekey123", "NEMOCHAT_NANOPHOTO_API_BASE": hostile.base_url})
    assert result.returncode == 5, result.stderr
    assert "Try again" in result.stderr
    assert hostile.paths().count("/api/sora-2/generate") == 1


@pytest.mark.parametrize("value", ["1e9", "inf", "-inf", "nan", "-1", "1e400", "3601", "garbage", "", "0x10", "Fri, 01 Jan 1999 00:00:00 GMT",
                                   "Thu, 99 Foo 2026 99:99:99 -0000", "Fri, 01 Jan 2099 00:00:00 -0000", "Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "\x00", "9" * 400])
def test_every_retry_after_is_a_number_or_none_and_never_raises(value):
    seconds = parse_retry_after(value)
    assert seconds is None or (seconds >= 0 and not math.isnan(seconds))
    try:
        wait = retry_wait(seconds, default=1.0, longest=60.0, what="x")
    except RateLimited as refused:
        assert refused.exit_code == 5 and "Try again" in refused.action
    else:
        assert 0 <= wait <= 60


def test_a_long_retry_after_on_a_sora_status_check_is_not_waited(hostile, nemochat):
    hostile.route("POST", "/api/sora-2/check-status", json_reply({"success": False, "errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"}, 429, **{"Retry-After": "inf"}))
    result = nemochat("sora", "status", "--task-id", "task-1", "--follow", env={"NANOPHOTO_API_KEY": "sk-hostilekey123", "NANOPHOTO_API_URL": hostile.base_url})
    assert result.returncode == 5, result.stderr
    assert "Try again much later" in result.stderr and "nemochat sora status" in result.stderr
    assert hostile.paths().count("/api/sora-2/check-status") == 1
