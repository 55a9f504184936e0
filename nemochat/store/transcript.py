"""A session's history from the ledger, as people and scripts read it:
plain text for the terminal, Markdown for a file, JSON lines for scripts,
and a short recap shown when a session is resumed.

Everything here came from a server or a keyboard once, so it passes the one
sanitizer (``clean``) before it is printed or saved.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from nemochat.core.sanitize import clean, clean_line, short_id
from nemochat.core.texts import said_in, say
from nemochat.core.tool_labels import label_for
from nemochat.store.records import SessionRecord, TurnRecord

RECAP_WIDTH = 100


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def backend_of(session: SessionRecord, lang: str = "en") -> str:
    """Where a session lives: its backend's address, or the demo (in ``lang``)."""
    from nemochat.settings import DEMO_BACKEND

    return say(lang, "backend.demo") if session.api_base == DEMO_BACKEND else clean_line(session.api_base)


def title_of(session: SessionRecord, lang: str = "en") -> str:
    from nemochat.core.texts import say

    return clean_line(session.title) if session.title else say(lang, "session.title", sid=short_id(session.id))


# -- plain text -------------------------------------------------------------------------------


def as_text(session: SessionRecord, turns: list[TurnRecord], *, thoughts: bool = False, lang: str = "en") -> str:
    lines = [f"{title_of(session, lang)}", say(lang, "log.session", sid=clean_line(session.id), backend=backend_of(session, lang))]
    shown = _turns(session, turns, lang=lang)
    lines.append(say(lang, "log.dates", started=when(session.created), used=when(session.last_used), turns=shown))
    for turn in turns:
        prefix = f"[{_stamp(turn.started)}] " + say(lang, "log.you")
        lines += ["", prefix + _indent(clean(turn.user_text), get_cwidth(prefix))]
        for item in turn.items:
            said = "  " + say(lang, {"text": "log.agent", "question": "log.agent_asks"}.get(item.kind, "log.thinking"))
            if item.kind == "tool":
                lines.append(f"  · {label_for(clean_line(item.body), lang).label}")
            elif item.kind == "text":
                cut = "" if item.complete else say(lang, "log.cut_off")
                lines.append(said + _indent(clean(item.body), get_cwidth(said)) + cut)
            elif item.kind == "question" or (item.kind == "thought" and thoughts):
                lines.append(said + _indent(clean(item.body), get_cwidth(said)))
        lines += ["  " + line for line in _outcome(turn, lang)]
    return "\n".join(lines) + "\n"


# -- Markdown -----------------------------------------------------------------------------------


def as_markdown(session: SessionRecord, turns: list[TurnRecord], *, thoughts: bool = False, lang: str = "en") -> str:
    out = [f"# {_md_line(title_of(session, lang))}", ""]
    facts = [
        ("md.session", f"`{clean_line(session.id)}`"),
        ("md.backend", backend_of(session, lang)),
        ("md.started", when(session.created)),
        ("md.last_used", when(session.last_used)),
        ("md.turns", _turns(session, turns, bare=True, lang=lang)),
    ]
    if session.last_video:
        facts.append(("md.last_video", clean_line(session.last_video)))
    out += [say(lang, "md.fact", name=say(lang, name), value=value) for name, value in facts]
    for number, turn in enumerate(turns, max(session.turns, len(turns)) - len(turns) + 1):  # `--last 2` of 9: 8 and 9
        out += ["", "## " + say(lang, "md.turn", number=number, at=_stamp(turn.started)), ""]
        out += ["> " + line if line else ">" for line in clean(turn.user_text).splitlines() or [""]]
        tools = [label_for(clean_line(i.body), lang).label for i in turn.items if i.kind == "tool"]
        if tools:
            out += ["", "_" + " · ".join(_md_line(t) for t in tools) + "_"]
        for item in turn.items:
            body = clean(item.body).strip()
            if item.kind == "text" and body:
                out += ["", body + ("" if item.complete else f"\n\n_{say(lang, 'cut_off')}_")]
            elif item.kind == "question" and body:
                first, *rest = body.splitlines()
                out += ["", say(lang, "md.asked", question=_md_line(first))]
                for line in rest:  # a prompt, then its options (indented in the ledger)
                    out += [f"- {line.strip()}"] if line.startswith("  ") else ["", line.strip(), ""]
            elif item.kind == "thought" and thoughts and body:
                out += ["", "> 💭 " + " ".join(body.splitlines())]
        outcome = _outcome(turn, lang)
        if outcome:
            out += [""] + [f"_{_md_line(line)}_" for line in outcome]
    return "\n".join(out) + "\n"


# -- JSON ---------------------------------------------------------------------------------------------


def session_json(session: SessionRecord) -> dict[str, Any]:
    return {
        "type": "session",
        "session_id": session.id,
        "api_base": session.api_base,
        "task_id": session.task_id,
        "user_id": session.user_id,
        "language": session.language,
        "title": clean_line(session.title) if session.title else None,
        "created": session.created,
        "last_used": session.last_used,
        "turns": session.turns,
        "last_video": session.last_video,
    }


def turn_json(turn: TurnRecord) -> dict[str, Any]:
    return {
        "type": "turn",
        "id": turn.id,
        "session_id": turn.session_id,
        "user_text": clean(turn.user_text),
        "started": turn.started,
        "ended": turn.ended,
        "silent": turn.silent,
        "messages": [clean(m) for m in turn.messages],
        "tools": [clean_line(t) for t in turn.tools],
        "items": [{"kind": i.kind, "text": clean(i.body), "complete": i.complete, "at": i.at} for i in turn.items],
        "changes": [clean(c) for c in turn.changes],
        "error": {"code": turn.error_code, "message": clean(turn.error)} if turn.error else None,
        "credits_before": turn.credits_before,
        "credits_after": turn.credits_after,
    }


# -- the recap on resume -----------------------------------------------------------------------------


def recap(turns: list[TurnRecord], lang: str = "en") -> str:
    """A few lines on where a resumed session left off."""
    lines = [say(lang, "log.earlier")]
    for turn in turns:
        lines.append("  " + say(lang, "log.you") + _short(turn.user_text))
        answer = [m for m in turn.messages if m.strip()]
        if answer:
            lines.append("  " + say(lang, "log.agent") + _short(answer[-1]))
        elif turn.changes:
            lines.append("  " + say(lang, "log.agent_silent") + _short("; ".join(said_in(lang, c) for c in turn.changes)))
        if turn.error:
            lines.append("  ✗ " + _short(turn.error))
        elif not turn.finished:
            lines.append("  " + say(lang, "log.stopped"))
    return "\n".join(lines)


# -- helpers ----------------------------------------------------------------------------------------------


def _outcome(turn: TurnRecord, lang: str = "en") -> list[str]:
    """What to say after a turn's messages: its changes, error, credits, or that it never ended."""
    out = []
    if turn.changes:
        out.append(say(lang, "log.changed") + "; ".join(clean_line(said_in(lang, c)) for c in turn.changes))
    elif turn.silent:
        out.append(say(lang, "log.silent"))
    if turn.error:
        code = f" ({clean_line(turn.error_code)})" if turn.error_code else ""
        out.append(say(lang, "log.error", code=code, message=clean_line(turn.error)))
    elif not turn.finished:
        out.append(say(lang, "log.unfinished"))
    if turn.credits_before is not None and turn.credits_after is not None:
        out.append(say(lang, "log.credits", before=f"{turn.credits_before:g}", after=f"{turn.credits_after:g}"))
    return out


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _indent(text: str, width: int) -> str:
    return "\n".join((" " * width + line if line.strip() else "") if n else line for n, line in enumerate(text.splitlines() or [""]))


def _short(text: str) -> str:
    line = clean_line(text)
    return line if len(line) <= RECAP_WIDTH else line[: RECAP_WIDTH - 1] + "…"


def _md_line(text: str) -> str:
    # One line of Markdown that cannot open a heading, emphasis or a link by accident.
    return clean_line(text).replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*").replace("[", "\\[")


def _turns(session: SessionRecord, shown: list[TurnRecord], *, bare: bool = False, lang: str = "en") -> str:
    """The session's turns, and how many of them are shown: "9 turns (the last 2 shown)"."""
    total = max(session.turns, len(shown))
    turns = str(total) if bare else say(lang, "turns.one" if total == 1 else "turns.many", count=total)
    return say(lang, "log.shown", turns=turns, count=len(shown)) if len(shown) < total else turns


def get_cwidth(text: str) -> int:
    """Columns ``text`` takes on a terminal (a Chinese label is two per character), for the indent under it."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
