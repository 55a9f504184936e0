"""What prompt_toolkit draws: the live area, the prompt line, the toolbar.

The prompt's message is a callable, redrawn in place: while the agent
answers it carries the unfinished Markdown block and the status line above
the input; while an offer or a question waits, the prompt asks it. Once the
line is accepted only the prompt itself stays in the scrollback, so nothing
live is ever left behind twice.

The bottom toolbar: backend ("demo" or the host), session, credits, running
jobs, and a short-lived hint ("Ctrl-D or /quit to leave"). It is always
drawn (``keys._PromptSession``), also before the terminal has said where the
cursor is, and moves down to the bottom row once it has (``Frames.on_cursor_report``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from prompt_toolkit.application import get_app_or_none
from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples, to_formatted_text
from prompt_toolkit.utils import get_cwidth

from nemochat.core.sanitize import short_id
from nemochat.core.texts import say
from nemochat.repl.printer import terminal_size
from nemochat.repl.texts import text

if TYPE_CHECKING:
    from prompt_toolkit.application import Application

    from nemochat.app.runtime import Runtime
    from nemochat.repl.choices import Offer, PendingQuestion
    from nemochat.repl.connection import Connection
    from nemochat.repl.jobs import JobManager
    from nemochat.repl.live_view import LiveView
    from nemochat.settings import Settings


class Screen(Protocol):
    """What the prompt's message and the toolbar show of the loop (``loop.Repl``)."""

    message_cache: tuple[int, Any] | None  # the message of the last redraw (``prompt_message``'s)
    view: LiveView
    attached_runtime: Runtime | None  # (None until it is there)
    settings: Settings
    link: Connection
    jobs: JobManager

    @property
    def offer(self) -> Offer | None: ...
    @property
    def question(self) -> PendingQuestion | None: ...
    def busy(self) -> bool: ...
    def current_hint(self) -> str | None: ...
    def say_text(self, key: str) -> str: ...

PROMPT = "› "
# The live area: at most the last 6 lines of the unfinished block, and the
# status line. Each redraw lays all of it out again; the rest of the block is
# printed above, whole, as soon as it is finished.
LIVE_LINES = 7


def backend_label(api_base: str, demo: bool, lang: str = "en") -> str:
    if demo:
        return text(lang, "toolbar_demo")
    host = urlparse(api_base).hostname or api_base
    return host


def prompt_message(repl: Screen) -> StyleAndTextTuples:
    """prompt_toolkit asks for the message ~10 times per redraw (heights,
    prefixes, the layout): it is built once per redraw, and its ANSI parsed
    only when the live text changed."""
    app = get_app_or_none()
    frame = app.render_counter if app is not None else None
    cached = getattr(repl, "message_cache", None)
    if frame is not None and cached is not None and cached[0] == frame:
        return cached[1]
    message = _message(repl, app)
    if frame is not None:
        repl.message_cache = (frame, message)
    return message


_parsed: tuple[str, StyleAndTextTuples] = ("", [])  # the last live text and its fragments


def _message(repl: Screen, app: Application[Any] | None) -> StyleAndTextTuples:
    global _parsed
    done = app is not None and app.is_done
    line = _prompt_line(repl)
    if done or not repl.view.active:
        return line
    columns, rows = terminal_size()
    live = repl.view.live_text(columns, max_lines=max(3, min(rows - 12, LIVE_LINES)))
    if not live:
        return line
    if _parsed[0] != live:
        _parsed = (live, _fragments(live))
    return _parsed[1] + [("", "\n")] + line


def _fragments(live: str) -> StyleAndTextTuples:
    """The live text as fragments: ANSI parsed (char by char) only in the lines
    that have styles (the status line, the "…" of a cropped block); the
    streamed text itself is plain."""
    if "\x1b" not in live:
        return [("", live)]
    out: StyleAndTextTuples = []
    for n, row in enumerate(live.split("\n")):
        if n:
            out.append(("", "\n"))
        if "\x1b" in row:
            out.extend(to_formatted_text(ANSI(row)))
        elif row:
            out.append(("", row))
    return _merged(out)


def _merged(fragments: StyleAndTextTuples) -> StyleAndTextTuples:
    """ANSI text comes one fragment per character; prompt_toolkit walks the
    message's fragments several times per redraw, so runs of one style are
    joined first (the same text, a few dozen fragments instead of thousands)."""
    out: StyleAndTextTuples = []
    for fragment in fragments:
        if out and len(fragment) == 2 and len(out[-1]) == 2 and out[-1][0] == fragment[0] and "ZeroWidthEscape" not in fragment[0]:
            out[-1] = (fragment[0], out[-1][1] + fragment[1])
        else:
            out.append(fragment)
    return out


def wrap_prompt(prompt: str, columns: int) -> str:
    """A prompt wider than the terminal, cut into lines at spaces: a prompt
    line wider than the screen is not drawn at all (the question would stay
    invisible until a key is pressed); the last line stays short."""
    width = max(20, columns - 4)
    if get_cwidth(prompt) <= width:
        return prompt
    lines: list[str] = []
    line = ""
    for word in prompt.rstrip(" ").split(" "):
        candidate = f"{line} {word}" if line else word
        if line and get_cwidth(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    while get_cwidth(line) > width:  # one very long word (or CJK text without spaces)
        cut = len(line)
        while cut > 1 and get_cwidth(line[:cut]) > width:
            cut -= 1
        lines.append(line[:cut])
        line = line[cut:]
    lines.append(line)
    return "\n".join(lines) + " "


def _columns() -> int:
    app = get_app_or_none()
    try:
        if app is not None:
            return app.output.get_size().columns
    except Exception:
        pass
    return terminal_size()[0]


def _prompt_line(repl: Screen) -> StyleAndTextTuples:
    offer = repl.offer
    if offer is not None:
        return [("class:offer", wrap_prompt(offer.prompt, _columns()))]
    if repl.question is not None:
        return [("class:question", wrap_prompt(repl.question.prompt(), _columns()))]
    style = "class:prompt.busy" if repl.busy() else "class:prompt"
    return [(style, PROMPT)]


def bottom_toolbar(repl: Screen) -> StyleAndTextTuples:
    """The toolbar's parts, left to right; on a narrow terminal the least
    needed go first (the /help hint, the backend, the session), so a job's
    percentage and the credits stay whole."""
    rt = repl.attached_runtime
    conversation = rt.conversation if rt is not None else None  # None until the runtime is there
    settings = conversation.settings if conversation is not None else repl.settings
    parts: list[tuple[int, StyleAndTextTuples]] = [(4, [("bold", backend_label(settings.api_base, settings.demo, settings.lang))])]  # (rank: kept first, text)
    session = conversation.session if conversation is not None else None
    if session is not None:
        parts.append((3, [("", say(settings.lang, "toolbar.session", sid=short_id(session.session_id)))]))
    elif repl.link.state == "failed":
        parts.append((3, [("class:toolbar.warn", say(settings.lang, "toolbar.offline"))]))
    else:
        parts.append((3, [("class:toolbar.dim", repl.say_text("connecting"))]))
    credits = repl.link.credits
    if credits is not None:
        style = "class:toolbar.warn" if credits < 10 else "class:toolbar.ok"
        parts.append((2, [(style, say(settings.lang, "toolbar.credits", credits=f"{credits:g}"))]))
    running = repl.jobs.summary(settings.lang)
    if running:
        parts.append((0, [("class:toolbar.warn", "⏳ " + running)]))
    hint = repl.current_hint()
    if hint:
        parts.append((1, [("class:toolbar.warn", hint)]))
    elif not running:
        parts.append((5, [("class:toolbar.dim", "/help")]))
    return _fitted(parts, _columns() - 1)


def _fitted(parts: list[tuple[int, StyleAndTextTuples]], width: int) -> StyleAndTextTuples:
    """The parts joined with " · ", the least needed (highest rank) left out
    until the line fits ``width`` (one always stays)."""

    def joined(kept: list[tuple[int, StyleAndTextTuples]]) -> StyleAndTextTuples:
        out: StyleAndTextTuples = [("", " ")]
        for n, (_rank, fragments) in enumerate(kept):
            if n:
                out.append(("class:toolbar.dim", " · "))
            out.extend(fragments)
        return out

    kept = list(parts)
    line = joined(kept)
    while len(kept) > 1 and sum(get_cwidth(text) for _style, text, *_ in line) > width:
        kept.remove(max(kept, key=lambda part: part[0]))
        line = joined(kept)
    return line
