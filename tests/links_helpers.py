"""OSC 8 hyperlinks in what a terminal received: (target, the text it shows)."""

from __future__ import annotations

import re

OSC8 = re.compile(r"\x1b\]8;([^;\x1b\x07]*);([^\x1b\x07]*)(?:\x1b\\|\x07)(.*?)\x1b\]8;;(?:\x1b\\|\x07)", re.DOTALL)
SGR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def hyperlinks(raw: str) -> list[tuple[str, str]]:
    """Every OSC 8 hyperlink in ``raw``: (target, the text it shows). A link
    wrapped over several lines comes as pieces with one id: they are joined
    (rich gives equal links one id too, so a link whose text is already
    whole starts a new one)."""
    links: list[list[str]] = []  # [id, target, text]
    open_by_id: dict[str, list[str]] = {}
    for params, target, shown in OSC8.findall(raw):
        text = SGR.sub("", shown).replace("\r\n", "")
        current = open_by_id.get(params) if params else None
        if current is not None and current[1] == target and current[2].strip() != target:
            current[2] += text
            continue
        current = [params, target, text]
        links.append(current)
        open_by_id[params] = current
    return [(target, text.strip()) for _, target, text in links if target]
