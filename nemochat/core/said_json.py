"""Catalogue lines (``Said``) kept as JSON, so what the ledger stored is said
again in the reader's language: a silent turn's changes read in Chinese in
``log`` and the resume recap, though they were recorded once, in English.

    {"said": "change.title", "en": "renamed the project: 'a' → 'b'", "values": {"old": "a", "new": "b"}}

A plain string stays a string. A key the catalogue no longer has (or values it
cannot fill) falls back to the English that was stored."""

from __future__ import annotations

from typing import Any

from nemochat.core.texts import Said

__all__ = ["said_from_json", "said_to_json"]


def said_to_json(line: object) -> Any:
    """``line`` as JSON values: a ``Said`` with its key and values, a list of them, else its text."""
    if isinstance(line, Said) and line.key:
        return {"said": line.key, "en": str(line), "values": {k: said_to_json(v) for k, v in line.values}}
    if isinstance(line, (tuple, list)):
        return [said_to_json(item) for item in line]
    return str(line)


def said_from_json(value: Any) -> Any:
    """What ``said_to_json`` wrote, back: ``Said`` lines (any depth), tuples, strings.
    Whatever else a damaged row holds is said as its text."""
    if isinstance(value, dict) and isinstance(value.get("said"), str):
        english = str(value.get("en", ""))
        values = value.get("values")
        if not isinstance(values, dict):
            return english
        try:
            return Said.of(value["said"], **{str(k): said_from_json(v) for k, v in values.items()})
        except (KeyError, IndexError, ValueError, TypeError):  # the catalogue moved on since it was stored
            return english
    if isinstance(value, list):
        return tuple(said_from_json(item) for item in value)
    return value if isinstance(value, str) else str(value)
