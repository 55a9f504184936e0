"""The connection, made in the background while the prompt is already up.

Token and session come from ``Conversation.connect()``; until they are there
the toolbar says "connecting…", and anything that needs the session waits
for the same attempt (never a second session). A failed attempt is said
once, in one line with what to do, and the next message tries again.
NemoVideo out of reach with a fallback configured is a failed attempt too,
but the line still goes on: a video request is offered the fallback
(``Conversation.unavailable``). Once ready: the credits for the toolbar, and
for a resumed session where it left off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from nemochat.core import ui_events as ui
from nemochat.errors import NemochatError
from nemochat.repl.sessions import recap

if TYPE_CHECKING:
    from nemochat.app.conversation import Conversation, Session
    from nemochat.app.runtime import Runtime
    from nemochat.repl.choices import PendingQuestion
    from nemochat.repl.live_view import LiveView


class ConnectionHost(Protocol):
    """What the connection uses of the loop (``loop.Repl``)."""

    view: LiveView
    question: PendingQuestion | None  # the agent's, dropped when a session is (re)opened

    @property
    def runtime(self) -> Runtime: ...  # (used once ``until_ready`` returned)
    @property
    def conversation(self) -> Conversation: ...
    async def until_ready(self) -> None: ...
    def fail(self, error: NemochatError) -> None: ...
    def unexpected(self, exc: BaseException) -> None: ...
    def say(self, message: str, style: str = "") -> None: ...
    def say_text(self, key: str) -> str: ...
    def changed(self) -> None: ...
    def drop_offers(self) -> None: ...
    def background(self, work: Coroutine[Any, Any, None]) -> None: ...


class Connection:
    def __init__(self, repl: ConnectionHost) -> None:
        self.repl = repl
        self.state = "connecting"  # "connecting" | "ready" | "failed"
        self.credits: float | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect(), name="connect")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    @property
    def trying(self) -> bool:
        """The launch's attempt still runs (NemoVideo may be out of reach, retried)."""
        return self._task is not None and not self._task.done()

    def cancel(self) -> bool:
        """Ctrl-C while the launch's attempt still runs: it stops, retries and
        their notices with it; the next line tries again. True if it ran."""
        if not self.trying:
            return False
        assert self._task is not None
        self._task.cancel()
        self.state = "failed"
        self.repl.changed()
        return True

    async def _connect(self) -> None:
        repl = self.repl
        try:
            await repl.until_ready()  # the runtime may still be on its way (built after the first frame)
            await repl.conversation.connect()
        except NemochatError as error:
            self.state = "failed"
            repl.fail(error)
            repl.say(repl.say_text("retry"), "dim")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.state = "failed"
            repl.unexpected(exc)
        else:
            unavailable = getattr(repl.conversation, "unavailable", None)
            if repl.conversation.session is None and unavailable is not None:
                self.state = "failed"
                repl.fail(unavailable)
                repl.say(repl.say_text("retry_fallback"), "dim")
        repl.changed()

    async def ensure(self) -> Session:
        """The session, connecting first if needed (the same attempt as the
        one started at launch while that one runs)."""
        await self.repl.until_ready()
        conversation = self.repl.conversation
        if conversation.session is not None:
            return conversation.session
        if self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
            if conversation.session is not None or getattr(conversation, "unavailable", None) is not None:
                return await conversation.connect()  # what that attempt found (no second round of retries)
        conversation.try_again()  # a new line: NemoVideo gets another try
        self.state = "connecting"
        self.repl.changed()
        try:
            session = await conversation.connect()
        except BaseException:
            self.state = "failed"
            raise
        if conversation.session is None:  # out of reach: the line may still go to the fallback
            self.state = "failed"
            self.repl.changed()
        return session

    def session_ready(self, event: ui.SessionReady) -> None:
        repl = self.repl
        self.state = "ready"
        repl.drop_offers()
        repl.question = None
        repl.changed()
        repl.background(self.refresh_credits())
        if event.resumed:
            repl.background(self._where_we_left_off(event.session_id))

    async def _where_we_left_off(self, session_id: str) -> None:
        """A resumed session: its last exchanges (the conversation already
        showed them when it was asked for by id), else at least its timeline."""
        repl = self.repl
        asked_by_id = bool(repl.conversation.settings.session)
        past = recap(repl.runtime, session_id)
        if past and not asked_by_id:
            repl.view.emit(ui.Notice(past))
        elif not past:
            try:
                await repl.conversation.show_status()
            except NemochatError:
                pass

    async def refresh_credits(self) -> None:
        try:
            available = (await self.repl.runtime.nemo.credits()).get("available")
            if isinstance(available, int | float | str):  # (the client checked it is a finite number)
                self.set_credits(float(available))
        except (NemochatError, TypeError, ValueError):
            pass

    def set_credits(self, available: float) -> None:
        self.credits = available
        self.repl.changed()
