"""What prompt_toolkit draws: the live area, the prompt line, the toolbar.

The prompt's message is a callable, redrawn in place: while the agent
answers it carries the unfinished Markdown block and the status line above
the input; while an offer or a question waits, the prompt asks it. Once the
line is accepted only the prompt itself stays in the scrollback, so nothing
live is ever left behind twice.

The bottom toolbar: backend ("demo" or the host), session, credits, running
jobs, and a short-lived hint ("Ctrl-D or /quit to leave").
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from prompt_toolkit.application import get_app_or_none
from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples, to_formatted_text

from nemochat.repl.printer import terminal_size

if TYPE_CHECKING:
    from nemochat.repl.loop import Repl

PROMPT = "› "


def backend_label(api_base: str, demo: bool) -> str:
    if demo:
        return "demo"
    host = urlparse(api_base).hostname or api_base
    return host


def prompt_message(repl: "Repl") -> StyleAndTextTuples:
    app = get_app_or_none()
    done = app is not None and app.is_done
    line = _prompt_line(repl)
    if done or not repl.view.active:
        return line
    columns, rows = terminal_size()
    live = repl.view.live_text(columns, max_lines=max(3, rows - 12))
    if not live:
        return line
    return to_formatted_text(ANSI(live)) + [("", "\n")] + line


def _prompt_line(repl: "Repl") -> StyleAndTextTuples:
    offer = repl.offer
    if offer is not None:
        return [("class:offer", offer.prompt)]
    if repl.question is not None:
        return [("class:question", repl.question.prompt())]
    style = "class:prompt.busy" if repl.busy() else "class:prompt"
    return [(style, PROMPT)]


def bottom_toolbar(repl: "Repl") -> StyleAndTextTuples:
    settings = repl.runtime.conversation.settings
    parts: StyleAndTextTuples = [("", " "), ("bold", backend_label(settings.api_base, settings.demo))]

    def sep() -> None:
        parts.append(("class:toolbar.dim", " · "))

    session = repl.runtime.conversation.session
    sep()
    if session is not None:
        parts.append(("", f"session {session.session_id[:8]}"))
    elif repl.link.state == "failed":
        parts.append(("class:toolbar.warn", "not connected"))
    else:
        parts.append(("class:toolbar.dim", repl.say_text("connecting")))
    credits = repl.link.credits
    if credits is not None:
        sep()
        style = "class:toolbar.warn" if credits < 10 else "class:toolbar.ok"
        parts.append((style, f"{credits:g} credits"))
    running = repl.jobs.summary()
    if running:
        sep()
        parts.append(("class:toolbar.warn", "⏳ " + running))
    hint = repl.current_hint()
    if hint:
        sep()
        parts.append(("class:toolbar.warn", hint))
    elif not running:
        sep()
        parts.append(("class:toolbar.dim", "/help"))
    return parts
