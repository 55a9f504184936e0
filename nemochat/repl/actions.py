"""What some commands do beyond one conversation call: switching sessions,
uploading, opening the video or the project page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from nemochat.core.router import Intent
from nemochat.errors import NemochatError, SessionNotFound, UsageError
from nemochat.repl.live_view import link
from nemochat.repl.sessions import resolve
from nemochat.core.texts import say
from nemochat.repl.texts import text
from nemochat.settings import Paths

if TYPE_CHECKING:
    from nemochat.repl.turns import TurnHost


async def switch_session(repl: TurnHost, session_id: str | None) -> None:
    """``/session new`` (None) or ``/session ID``: the conversation reopens it
    and says where it left off."""
    conversation = repl.conversation
    if session_id is None:
        await conversation.switch_session(None)
        return
    full = resolve(repl.runtime, session_id)
    if conversation.session is not None and conversation.session.session_id == full:
        repl.say(say(repl.lang, "session.same"), "dim")
        return
    try:
        await conversation.switch_session(full)
    except SessionNotFound:
        raise UsageError(f"No session {session_id} on this backend.", action="/sessions lists the ones you used.",
                         key="usage.no_session", sid=session_id) from None


async def upload(repl: TurnHost, paths: list[str]) -> None:
    handler = repl.conversation.handlers.get("upload")
    if handler is None:
        repl.say(say(repl.lang, "unavailable.upload"), "yellow")
        return
    await repl.ensure_connected()
    await handler(Intent("upload", "/upload " + " ".join(paths), paths=tuple(paths)))


async def open_project(repl: TurnHost) -> None:
    """The last exported video (with the system's player), else the project
    page in the browser; without a display, the path or the link to click."""
    from nemochat.app.opener import has_display, open_last_export, system_open

    try:
        target, opened = open_last_export(Paths.default(), launch=True)
    except UsageError:
        pass
    except NemochatError as error:  # an address not to open: said, not launched
        repl.say(error.say(repl.lang)[0], "yellow")
        return
    else:
        repl.say(say(repl.lang, "open.opened" if opened else "open.last", target=target), "green" if opened else "")
        return
    if repl.runtime.settings.demo:
        repl.say(text(repl.runtime.settings.lang, "demo_no_page"), "yellow")
        return
    session = await repl.ensure_connected()
    url = repl.view.claim_url or await repl.runtime.nemo.claim_url(session.task_id, session.session_id)
    if not url:
        repl.say(say(repl.lang, "open.no_link"), "yellow")
        return
    opened = has_display() and system_open(url)
    repl.show(Text(say(repl.lang, "open.link_opened" if opened else "open.link_here"), style="dim") + link(url, enabled=repl.view.links))
