"""Writing the conversation into the ledger as it happens, from its UI events.

The runtime hands every UI event to the recorder before the view shows it
(``TeeView``), so what the user saw is already on disk: the user's words when
the turn starts (``UserSaid``), each streamed piece and each complete message,
tool calls, errors, and the end of the turn. A process killed mid-stream
leaves all of it behind.

The text of the answer is the one exception to "at once": a fast stream
brings hundreds of pieces per network read, and one SQLite transaction each
would cost more than everything else in the turn (and a long message, written
again whole with every piece, more still). Streamed pieces, complete messages
and thoughts are written together, in one transaction, at most half a second
after they arrive (``LATER_S``; sooner once ``LATER_MAX`` are waiting), or
before the next event of any other kind (a tool call, an error, the end of
the turn), in the same transaction as that event. Without an event loop they
are written at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import typing
from collections.abc import Callable
from typing import Any, Protocol

from nemochat.core import ui_events as ui
from nemochat.core.gui import translate_gui
from nemochat.core.lettering import lettered
from nemochat.core.texts import Said
from nemochat.errors import NemochatError
from nemochat.store.ledger import Ledger


# The stream's bulk: written a moment later, many in one transaction.
_LATER = (ui.MessageDelta, ui.Message, ui.Thought)
LATER_S = 0.5
LATER_MAX = 512


class Listener(Protocol):
    def emit(self, event: ui.UIEvent) -> None: ...
    def error(self, error: NemochatError) -> None: ...


class LedgerRecorder:
    def __init__(
        self,
        ledger: Ledger,
        api_base: str,
        language: str | None = None,
        *,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.api_base = api_base
        self.language = language
        self.on_failure = on_failure
        self.failed = False
        self._sessions: set[str] = set()  # touched by this recorder already
        self._turn: int | None = None  # the turn in progress
        self._last_turn: int | None = None  # the one that just ended (changes and credits come after it)
        self._items: dict[int, int] = {}  # message index -> its row, for the turn in progress
        self._credits: float | None = None
        # Text not written yet, in order: [index, pieces] for streamed pieces, else the event.
        self._later: list[list[Any] | ui.Message | ui.Thought] = []
        self._flush_scheduled = False
        # event type -> its handler (one dict lookup per event: streams bring thousands)
        self._handlers: dict[type, Callable[[Any], None]] = {
            kind: getattr(self, f"_on_{kind.__name__}") for kind in typing.get_args(ui.UIEvent) if hasattr(self, f"_on_{kind.__name__}")
        }

    # -- the listener interface ----------------------------------------------------------

    def emit(self, event: ui.UIEvent) -> None:
        if self.failed:
            return
        if isinstance(event, _LATER):  # (none of them has a subclass)
            if self._turn is not None:
                later = self._later
                last = later[-1] if later else None
                # the usual event of a stream: one more piece of the message already waiting
                if type(event) is ui.MessageDelta and type(last) is list and last[0] == event.index and len(last[1]) < LATER_MAX:
                    last[1].append(event.text)
                else:
                    self._write_later(event)
            return
        if type(event) is ui.ToolActivity and event.phase == "result":
            return  # nothing to write (only calls are kept): no transaction for it
        handler = self._handlers.get(type(event))
        if handler is not None or self._later:
            self._guard(self._write_now, (handler, event))

    def error(self, error: NemochatError) -> None:
        """An error that ended the turn from outside it (no credits, a dropped stream, Ctrl-C)."""
        if (self._turn is not None or self._later) and not self.failed:
            self._guard(self._write_now, (self._fail_turn if self._turn is not None else None, error))

    def flush(self) -> None:
        """Write the text gathered so far (the event loop calls this soon after it arrives)."""
        self._flush_scheduled = False
        if self._later and not self.failed:
            self._guard(self._write_now, (None, None))

    def _write_now(self, call: tuple[Callable[[Any], None] | None, Any]) -> None:
        handler, value = call
        with self.ledger.batch():  # what waited, and this event, in one transaction
            later, self._later = self._later, []
            for entry in later:
                self._write_text(entry)
            if handler is not None:
                handler(value)

    def _write_later(self, event: ui.MessageDelta | ui.Message | ui.Thought) -> None:
        later = self._later
        if isinstance(event, ui.MessageDelta):
            last = later[-1] if later else None
            if type(last) is list and last[0] == event.index:
                pieces = last[1]
                pieces.append(event.text)
                if len(pieces) > LATER_MAX:
                    last[1] = ["".join(pieces)]
                return
            later.append([event.index, [event.text]])
        else:
            if type(event) is ui.Message:  # its text replaces the pieces still waiting
                later[:] = [e for e in later if not (type(e) is list and e[0] == event.index)]
            later.append(event)
        if len(later) > LATER_MAX:
            self.flush()
            return
        if self._flush_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: nothing would ever write it later
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_later(LATER_S, self.flush)

    def _write_text(self, entry: list[Any] | ui.Message | ui.Thought) -> None:
        if self._turn is None:
            return
        if isinstance(entry, list):
            index, text = entry[0], "".join(entry[1])
            item = self._items.get(index)
            if item is None:
                self._items[index] = self.ledger.add_item(self._turn, "text", text, complete=False)
            else:
                self.ledger.extend_item(item, text)
        elif isinstance(entry, ui.Message):
            self._on_Message(entry)
        else:
            self._on_Thought(entry)

    # -- events -------------------------------------------------------------------------------

    def _on_SessionReady(self, event: ui.SessionReady) -> None:
        self.ledger.touch_session(
            self.api_base, event.session_id, task_id=event.task_id, user_id=event.user_id, language=self.language
        )
        self._sessions.add(event.session_id)

    def _on_UserSaid(self, event: ui.UserSaid) -> None:
        if self._turn is not None:  # the last one never finished (a dropped stream that recovered)
            self.ledger.finish_turn(self._turn, silent=None)
        if event.session_id not in self._sessions:
            self.ledger.touch_session(self.api_base, event.session_id, language=self.language)
            self._sessions.add(event.session_id)
        self._turn = self.ledger.open_turn(event.session_id, event.text, credits_before=self._credits)
        self._items = {}

    def _on_Message(self, event: ui.Message) -> None:
        if self._turn is None:
            return
        # The message is complete: its row is never touched again, so it is
        # forgotten here (a turn of hours has tens of thousands of them).
        item = self._items.pop(event.index, None)
        shown = translate_gui(event.raw).text  # as the REPL shows it (its GUI talk rewritten)
        if item is None:
            self.ledger.add_item(self._turn, "text", shown, complete=event.complete)
        else:  # the streamed pieces become the message as shown
            self.ledger.set_item(item, shown, complete=event.complete)

    def _on_MessageDropped(self, event: ui.MessageDropped) -> None:
        item = self._items.pop(event.index, None)
        if item is not None:
            self.ledger.drop_item(item)

    def _on_Thought(self, event: ui.Thought) -> None:
        if self._turn is not None:
            self.ledger.add_item(self._turn, "thought", event.text)

    def _on_ToolActivity(self, event: ui.ToolActivity) -> None:  # (a call: emit() skips results)
        if self._turn is not None and event.phase == "call":
            self.ledger.add_item(self._turn, "tool", event.name)

    def _on_QuestionAsked(self, event: ui.QuestionAsked) -> None:
        if self._turn is not None:
            self.ledger.add_item(self._turn, "question", question_text(event.question))

    def _on_ErrorShown(self, event: ui.ErrorShown) -> None:
        if self._turn is not None:
            self.ledger.set_turn_error(self._turn, event.code, event.message)

    def _on_TurnFinished(self, event: ui.TurnFinished) -> None:
        if self._turn is not None:
            self.ledger.finish_turn(self._turn, silent=event.silent)
            self._last_turn, self._turn, self._items = self._turn, None, {}

    def _on_ChangesShown(self, event: ui.ChangesShown) -> None:
        target = self._turn or self._last_turn
        if target is not None:
            self.ledger.set_turn_changes(target, event.lines)

    def _on_CreditsShown(self, event: ui.CreditsShown) -> None:
        self._credits = event.available  # the next turn starts from this balance
        target = self._turn or self._last_turn
        if target is not None:
            self.ledger.set_turn_credits(target, after=event.available)

    # -- failures ---------------------------------------------------------------------------------

    def _fail_turn(self, error: NemochatError) -> None:
        assert self._turn is not None
        self.ledger.set_turn_error(self._turn, error.code, error.message)
        self.ledger.finish_turn(self._turn, silent=None)
        self._last_turn, self._turn, self._items = self._turn, None, {}

    def _guard(self, write: Callable[[Any], None], value: Any) -> None:
        # A full disk or a database locked for too long must not end the user's
        # turn: say so once and stop recording for this process.
        try:
            write(value)
        except sqlite3.Error as exc:
            self.failed = True
            if self.on_failure is not None:
                self.on_failure(Said.of("ledger.stopped", reason=exc))


def question_text(question: Any) -> str:
    """A multiple-choice question as plain lines: title, prompts, lettered options."""
    lines = [question.title] if question.title else []
    for item in question.items:
        if item.prompt:
            lines.append(item.prompt)
        lines += [f"  {letter}) {option.label}" for letter, option in lettered(item.options)]
    return "\n".join(lines)


class TeeView:
    """The user's view, with listeners (the ledger, ``--record``) handed every
    event and error first. Anything else is the view's own (``__getattr__``)."""

    def __init__(self, view: Any, *listeners: Listener) -> None:
        self.view = view
        self.listeners = listeners

    def emit(self, event: ui.UIEvent) -> None:
        for listener in self.listeners:
            listener.emit(event)
        self.view.emit(event)

    def error(self, error: NemochatError) -> None:
        for listener in self.listeners:
            listener.error(error)
        self.view.error(error)

    def done(self) -> None:
        self.view.done()

    def __getattr__(self, name: str) -> Any:
        if name == "view":  # not set yet (copy, pickle): no endless recursion
            raise AttributeError(name)
        return getattr(self.view, name)
