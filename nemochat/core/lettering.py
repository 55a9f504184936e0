"""How the agent's choices are lettered: A, B, C… in the order it sent them.

The views print them, the ledger writes them and the REPL reads an answer
back with the same letters, so they come from here alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # (a question's options past the 26th get none)

T = TypeVar("T")


def lettered(options: Iterable[T]) -> list[tuple[str, T]]:
    """Each option with its letter: [("A", first), ("B", second), …]."""
    return list(zip(LETTERS, options, strict=False))


def letter_index(token: str) -> int | None:
    """The option a letter answers ("b" -> 1), None for anything but one letter."""
    return LETTERS.index(token.upper()) if len(token) == 1 and token.upper() in LETTERS else None
