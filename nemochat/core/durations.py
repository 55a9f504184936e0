"""A wait or a cap in words: "45 s", "1 minute", "15 minutes" (a cap under a
minute is never "0 minutes")."""

from __future__ import annotations


def spoken(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes = seconds / 60
    return f"{minutes:.3g} minute{'' if minutes == 1 else 's'}"
