"""The secrets this process holds (API keys, tokens), hidden from every server
string before it is shown or stored: a server that echoes a key back in an
error ("invalid key np-...") must not get it printed, logged or written to
the ledger. Clients ``remember`` what they send; ``hide`` is applied by the
sanitizer, the errors and the ledger's job errors."""

from __future__ import annotations

MASK = "[redacted]"
MIN_LENGTH = 6  # shorter "secrets" would blank ordinary words

known: set[str] = set()  # read-only outside: the sanitizer checks it is empty before calling hide


def remember(*values: object) -> None:
    for value in values:
        if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
            known.add(value.strip())


def hide(text: str) -> str:
    for secret in known:  # a handful at most: one substring search each
        if secret in text:
            text = text.replace(secret, MASK)
    return text
