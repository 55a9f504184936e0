"""A link's target is always what the person sees.

Markdown lets text and target differ: ``[https://nemovideo.com/claim](http://evil.example)``
would reach the terminal as an OSC 8 hyperlink that shows one address and
opens another (and an image's alt text can hide its source the same way).
``honest_links`` rewrites markdown-it's tokens before rich renders them: a
link whose text is its target stays a link; any other keeps its text, without
a link, followed by the real target in parentheses (itself a link whose text
is its target).

Links outside Markdown go through ``link_style``: a ``Style`` object, never
``f"link {url}"``, whose parsing lets a space in the URL swap the target.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style

from nemochat.core.sanitize import clean_line

__all__ = ["honest_links", "link_style"]


def link_style(url: str, style: str = "") -> Style:
    """``style`` plus an OSC 8 link to ``url``; print it on ``Text(url)`` only
    (the caller shows exactly the URL the link opens)."""
    return Style.parse(style) + Style(link=clean_line(url) or None) if style else Style(link=clean_line(url) or None)


def honest_links(tokens: list[Any]) -> list[Any]:
    """Rewrite the links and images of markdown-it ``tokens`` in place (and return them)."""
    for token in tokens:
        if token.children:
            token.children = _rewrite(token.children)
    return tokens


def _rewrite(children: list[Any]) -> list[Any]:
    out: list[Any] = []
    index = 0
    while index < len(children):
        token = children[index]
        if token.type == "image":
            alt = clean_line(token.content or "")
            out.append(_text(token, f"🌆 {alt}" if alt else "🌆"))
            out.extend(_shown_target(token, str(token.attrs.get("src", "") or "")))
            index += 1
            continue
        if token.type != "link_open":
            out.append(token)
            index += 1
            continue
        close, depth = index + 1, 1  # the matching close: a link's text may hold another (an autolink)
        while close < len(children):
            depth += {"link_open": 1, "link_close": -1}.get(children[close].type, 0)
            if depth == 0:
                break
            close += 1
        inner = _rewrite(children[index + 1 : close])
        href = clean_line(str(token.attrs.get("href", "") or ""))
        shown = "".join(_visible(child) for child in inner).strip()
        nested = any(child.type == "link_open" for child in inner)  # one link inside another: neither shows whole
        if href and shown == href and not nested:
            token.attrs["href"] = href
            out.append(token)
            out.extend(inner)
            if close < len(children):
                out.append(children[close])
        else:
            out.extend(inner)
            out.extend(_shown_target(token, href))
        index = close + 1
    return out


def _visible(token: Any) -> str:
    if token.type in ("text", "code_inline"):
        return token.content or ""
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "image":
        return "\0"  # an image inside a link: never equal to a target
    return ""


def _shown_target(like: Any, target: str) -> list[Any]:
    """`` (TARGET)``, the target a link of its own text."""
    target = clean_line(target)
    if not target:
        return []
    opening = _token(like, "link_open", 1, "")
    opening.attrs = {"href": target}
    return [_text(like, " ("), opening, _text(like, target), _token(like, "link_close", -1, ""), _text(like, ")")]


def _text(like: Any, content: str) -> Any:
    return _token(like, "text", 0, content)


def _token(like: Any, kind: str, nesting: int, content: str) -> Any:
    token = type(like)(type=kind, tag="a" if kind.startswith("link") else "", nesting=nesting)
    token.content = content
    return token
