"""Bounds on what a server can make us do (issue 13): how long we wait
because it said so, how much we read, how deep we parse.

Every server byte is hostile until checked. A ``Retry-After`` of ``1e9``,
``inf`` or a date in 2099 is not a wait we make; an answer that inflates
(a gzip bomb) or trickles a byte a second is cut off at a bound; JSON nested
100k deep is a protocol error, not a RecursionError. Each bound is a setting.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from nemochat.errors import RateLimited

__all__ = ["parse_retry_after", "retry_wait"]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an
    HTTP date. ``None`` when absent or unreadable (garbage, NaN); a negative
    number or a past date is 0; ``inf`` stays infinite (``retry_wait`` refuses it)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, as RFC 5322 means it
            when = when.replace(tzinfo=timezone.utc)
        try:
            seconds = (when - datetime.now(timezone.utc)).total_seconds()
        except OverflowError:
            return None
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def retry_wait(retry_after: float | None, *, default: float, longest: float, what: str, action: str = "") -> float:
    """The wait before trying again: the server's ``retry_after`` (else
    ``default``). Longer than ``longest`` (the ``retry_after_max`` setting),
    it is not waited: ``RateLimited`` (exit 5) says when to try again."""
    wait = default if retry_after is None or math.isnan(retry_after) else max(0.0, retry_after)
    if wait <= longest:
        return wait
    raise RateLimited(
        f"{what}: the server asks us to wait {_duration(wait)}, longer than the {longest:.0f} s we wait (retry_after_max)",
        code=429,
        action=(action + " " if action else "") + f"Try again {_when(wait)}.",
    )


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds > 365 * 86400:
        return "more than a year"
    if seconds >= 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _when(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds > 365 * 86400:
        return "much later"
    at = time.localtime(time.time() + seconds)
    if seconds < 86400:
        return "after " + time.strftime("%H:%M", at)
    return "after " + time.strftime("%Y-%m-%d %H:%M", at)
