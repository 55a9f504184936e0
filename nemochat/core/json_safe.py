"""JSON from a server, parsed without letting it crash us.

``json.loads`` raises RecursionError for an array nested 100k deep (and
orjson refuses past 1024 levels): here either is a ``ValueError`` (``TooDeep``),
like any other text that is not JSON we can use, so every caller's
"not JSON" path handles it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

try:
    from orjson import loads as _orjson_loads

    _fast_loads: Callable[[str | bytes], Any] = _orjson_loads
except ImportError:  # pragma: no cover - orjson is a dependency
    _fast_loads = json.loads

__all__ = ["TooDeep", "dumps_short", "loads"]


class TooDeep(ValueError):
    """JSON nested deeper than we parse."""


def loads(data: str | bytes) -> Any:
    """``json.loads`` that raises only ``ValueError`` (invalid UTF-8, not JSON, ``TooDeep``)."""
    try:
        return _fast_loads(data)
    except ValueError:
        pass
    try:
        return json.loads(data)
    except RecursionError:
        raise TooDeep("JSON nested too deeply to read") from None
    except UnicodeDecodeError as bad:
        raise ValueError(f"not UTF-8 ({bad.reason})") from None


def dumps_short(value: Any, limit: int = 200) -> str:
    """``value`` as JSON text for a message, at most ``limit`` characters
    (a structure too deep to write gives a placeholder, not a RecursionError)."""
    try:
        return json.dumps(value, ensure_ascii=False)[:limit]
    except (RecursionError, ValueError, TypeError):
        return "(an answer too deeply nested to show)"
