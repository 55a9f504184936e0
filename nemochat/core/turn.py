"""The turn state machine: agent events in, UI events out (sans-I/O, no clock).

One user message makes one turn. The rules that matter to the user:

- each assistant message is shown exactly once: ADK streams ``partial`` pieces
  and then repeats the whole text in a final event of the same LLM call
  (linked by invocationId + author and by order, never by event id);
- tool calls become named progress, once per call id (ADK repeats a call in
  its partial and final events), shown after the text said before them;
  a handoff names the agent that takes over; ``thought`` parts stay apart;
- one failure is one error: ADK reports a model's failure twice in a row
  (``errorCode`` then ``{"error"}``, or a partial and a final event);
- quiet periods produce a "still working" notice every ``still_working_every``
  seconds (the caller passes ``now``; this module never reads a clock);
- a trailing "I encountered a temporary issue" after a normal turn is noise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar, overload

from nemochat.core import cli_words
from nemochat.core import events as ev
from nemochat.core.gui import GuiAction, gui_actions
from nemochat.core.tool_labels import label_for
from nemochat.core.ui_events import (
    ArtifactNoted,
    ErrorShown,
    HandedOff,
    Message,
    MessageDelta,
    MessageDropped,
    Notice,
    QuestionAsked,
    Thought,
    ToolActivity,
    TurnFinished,
    UIEvent,
)

_NOISE = re.compile(r"^\W*i (have )?encountered a temporary issue\b.{0,160}$", re.IGNORECASE | re.DOTALL)
_NOISE_STARTS = ("i encountered a temporary issue", "i have encountered a temporary issue")


def may_be_dropped(streamed: str) -> bool:
    """Whether a message that began with ``streamed`` may still be dropped as
    noise when it completes (a view writing text as it arrives waits meanwhile)."""
    if len(streamed) > 240:
        return False
    head = re.sub(r"^\W+", "", streamed.lstrip()).lower()
    return not head or any(start.startswith(head[: len(start)]) for start in _NOISE_STARTS)


class Recent(Sequence[str]):
    """The most recent texts appended: the oldest are forgotten once there are
    more than ``max_items`` or ``max_chars`` of them (a turn may stream for
    fifteen minutes, and only its current message has to stay in memory;
    ordinary turns keep all). ``append`` is the only way in, so the cap holds;
    it reads, and compares equal, as the list of what it kept."""

    def __init__(self, max_items: int = 1000, max_chars: int = 256 * 1024) -> None:
        self.max_items, self.max_chars = max_items, max_chars
        self._items: list[str] = []
        self._chars = 0

    def append(self, item: str) -> None:
        self._items.append(item)
        self._chars += len(item)
        while len(self._items) > 1 and (len(self._items) > self.max_items or self._chars > self.max_chars):
            self._chars -= len(self._items.pop(0))

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Recent):
            return self._items == other._items
        return self._items == other if isinstance(other, list) else NotImplemented

    def __repr__(self) -> str:
        return repr(self._items)


# A call's copies come within one model call: the ids of the recent calls are
# enough, and a turn that streams for fifteen minutes keeps no more than these.
_IDS_KEPT = 4096
_V = TypeVar("_V")


def _keep(recent: dict[str, _V], key: str, value: _V) -> None:
    recent[key] = value
    if len(recent) > _IDS_KEPT:
        del recent[next(iter(recent))]


@dataclass
class _OpenMessage:
    """A message being streamed: its pieces, joined only when asked (appending
    to one string held here would copy the whole message at every piece)."""

    index: int
    pieces: list[str] = field(default_factory=list)

    @property
    def raw(self) -> str:
        pieces = self.pieces
        if len(pieces) > 1:
            pieces[:] = ["".join(pieces)]
        return pieces[0] if pieces else ""


@dataclass
class TurnState:
    """Feed it agent events as they arrive; show what it returns."""

    started_at: float
    still_working_every: float = 120.0
    messages: Recent = field(default_factory=Recent)  # complete raw texts, in order (the most recent 256 KB)
    tools: Recent = field(default_factory=Recent)  # tool names, in call order (the last 1000)
    errors: list[ev.AgentError] = field(default_factory=list)
    actions: list[GuiAction] = field(default_factory=list)
    question: ev.Question | None = None
    closed: bool = False

    def __post_init__(self) -> None:
        self._open: dict[str, _OpenMessage] = {}
        self._thoughts: dict[str, list[str]] = {}  # stream -> thought pieces streamed so far
        self._thought_shown: set[str] = set()  # streams whose thought was shown as their answer began
        self._call_names: dict[str, str] = {}  # call id -> tool name, of the last _IDS_KEPT calls shown
        self._results: dict[str, None] = {}  # call ids whose result was shown (the last _IDS_KEPT)
        self._held: dict[str, list[UIEvent]] = {}  # stream -> calls waiting for the text said before them
        self._agent: str | None = None  # the agent the last handoff named
        self._artifacts: set[tuple[str, int | None]] = set()
        self._after_error = False  # nothing but errors since the last error
        self._next_index = 0
        self._last_visible = self.started_at
        self._tool_results = 0
        self._cut = False  # close() found text whose final event never came

    # -- input ----------------------------------------------------------------

    def feed(self, event: ev.AgentEvent, now: float) -> list[UIEvent]:
        if type(event) is ev.Text and event.partial and not event.thought:
            out = self._partial(event)  # most of a stream: straight there
        else:
            out = self._apply(event)
        if out:
            self._last_visible = now
            if self.still_working_every > 0:  # just shown: not quiet, no notice due
                return out
        return out + self.tick(now)

    def feed_all(self, events: Sequence[ev.AgentEvent], now: float) -> list[UIEvent]:
        """``feed`` each of ``events`` (what one network read brought), with
        the pieces that follow each other in one message joined into one
        MessageDelta: the same text, shown at the same moment, and the views
        and the ledger take one event per read instead of hundreds."""
        if len(events) == 1:  # a read of one event (a slow stream's usual read): nothing to join
            return self.feed(events[0], now)
        out: list[UIEvent] = []
        pieces: list[str] = []  # the delta being gathered, of message `index`
        index = -1
        opened = self._open
        for event in events:
            if type(event) is ev.Text and event.partial and not event.thought and event.text:
                message = opened.get(event.stream)
                if message is not None:  # the usual event: one more piece of an open message
                    message.pieces.append(event.text)
                    if message.index != index and pieces:
                        out.append(MessageDelta(index, "".join(pieces)))
                        pieces = []
                    index = message.index
                    pieces.append(event.text)
                    continue
            if pieces:
                out.append(MessageDelta(index, "".join(pieces)))
                pieces, index = [], -1
            shown = self.feed(event, now)
            if len(shown) == 1 and type(delta := shown[0]) is MessageDelta:  # the piece that opened a message
                pieces, index = [delta.text], delta.index
            else:
                out += shown
        if pieces:
            out.append(MessageDelta(index, "".join(pieces)))
        if out:
            self._last_visible = now
            if self.still_working_every > 0:
                return out
        return out + self.tick(now)

    def tick(self, now: float) -> list[UIEvent]:
        """Call now and then while waiting: says "still working" when quiet too long."""
        if self.closed or now - self._last_visible < self.still_working_every:
            return []
        self._last_visible = now
        elapsed = int(now - self.started_at)
        took = f"{elapsed // 60}:{elapsed % 60:02d}"
        return [Notice(f"Still working… ({took})", kind="working", key="still_working", values=(("took", took),))]

    def close(self) -> list[UIEvent]:
        """The stream ended: flush what was only ever partial, then finish."""
        if self.closed:
            return []
        self.closed = True
        out: list[UIEvent] = []
        self._cut = bool(self._open)
        for stream, message in list(self._open.items()):
            out += self._complete(stream, message.raw, complete=False)
        for held in self._held.values():
            out += held
        self._held.clear()
        for pieces in self._thoughts.values():
            if (text := "".join(pieces)).strip():
                out.append(Thought(text))
        self._thoughts.clear()
        out.append(TurnFinished(silent=self.silent))
        return out

    # -- derived ----------------------------------------------------------------

    @property
    def silent(self) -> bool:
        """No assistant text at all (about 30% of edit turns): diff the state."""
        return not self.messages and self.question is None

    @property
    def incomplete(self) -> bool:
        """Text was streamed but its final event never came (still true after close())."""
        return bool(self._open) or self._cut

    # -- the rules ----------------------------------------------------------------

    def _apply(self, event: ev.AgentEvent) -> list[UIEvent]:
        if not isinstance(event, (ev.AgentError, ev.Heartbeat)):
            self._after_error = False
        if isinstance(event, ev.Text):
            if event.thought:
                return self._thought(event)
            if event.partial:
                return self._partial(event)
            return self._final(event)
        if isinstance(event, ev.ToolCall):
            return self._call(event)
        if isinstance(event, ev.ToolResult):
            if event.call_id:
                if event.call_id in self._results:
                    return []
                _keep(self._results, event.call_id, None)
            self._tool_results += 1
            name = event.name or self._call_names.get(event.call_id, "")
            return [ToolActivity(name, label_for(name).label, "result", call_id=event.call_id)]
        if isinstance(event, ev.Question):
            if event == self.question:  # the partial event's copy, again in the final
                return []
            self.question = event
            return [QuestionAsked(event)]
        if isinstance(event, ev.Handoff):
            if event.agent == self._agent:
                return []
            self._agent = event.agent
            return [HandedOff(event.agent)]
        if isinstance(event, ev.ArtifactSaved):
            if (event.name, event.version) in self._artifacts:
                return []
            self._artifacts.add((event.name, event.version))
            return [ArtifactNoted(event.name)]
        if isinstance(event, ev.AgentError):
            if self._after_error:  # the same failure, said again (ADK 2.x says it twice)
                return []
            self._after_error = True
            self.errors.append(event)
            # What was cut short by the error is shown before it, so the error
            # is the last word of the turn (a script reading --json stops there).
            cut: list[UIEvent] = []
            if self._open:
                self._cut = True
                for stream, message in list(self._open.items()):
                    cut += self._complete(stream, message.raw, complete=False)
            action = f"Nothing was resent. Check what was done with `{cli_words.command('status')}`, then try again."  # (the REPL says /status)
            code = event.code or "agent_error"
            return cut + [ErrorShown(code, event.message, action, key=event.key, values=(("code", code),),
                                     action_key="agent.error.action", action_values=(("command", cli_words.command("status")),))]
        return []  # heartbeats: alive, but nothing to show

    def _call(self, event: ev.ToolCall) -> list[UIEvent]:
        if event.call_id:
            if event.call_id in self._call_names:  # seen in a partial event: the same call
                return []
            _keep(self._call_names, event.call_id, event.name)
        self.tools.append(event.name)
        label = label_for(event.name)
        shown = ToolActivity(event.name, label.label, "call", label.expected, event.call_id)
        if event.partial and event.stream in self._open:
            # said mid-message: shown once the text said before it is complete
            self._held.setdefault(event.stream, []).append(shown)
            return []
        return [shown]

    def _partial(self, event: ev.Text) -> list[UIEvent]:
        if not event.text:
            return []
        self._after_error = False
        message = self._open.get(event.stream)
        if message is None:
            message = self._open[event.stream] = _OpenMessage(self._new_index())
            if event.stream in self._thoughts:  # the thinking before this answer, shown before it
                message.pieces.append(event.text)
                return self._thought_done(event.stream) + [MessageDelta(message.index, event.text)]
        message.pieces.append(event.text)
        return [MessageDelta(message.index, event.text)]

    def _thought_done(self, stream: str) -> list[UIEvent]:
        """The streamed thought of ``stream`` as one Thought; its copy in the final event is then skipped."""
        text = "".join(self._thoughts.pop(stream))
        self._thought_shown.add(stream)
        return [Thought(text)] if text.strip() else []

    def _final(self, event: ev.Text) -> list[UIEvent]:
        message = self._open.get(event.stream)
        if message is None:
            if not event.text.strip():
                return []
            message = self._open[event.stream] = _OpenMessage(self._new_index())
        out: list[UIEvent] = []
        if event.text.startswith(message.raw) and len(event.text) > len(message.raw):
            out.append(MessageDelta(message.index, event.text[len(message.raw) :]))
        return out + self._complete(event.stream, event.text or message.raw, complete=True)

    def _complete(self, stream: str, raw: str, *, complete: bool) -> list[UIEvent]:
        message = self._open.pop(stream)
        held = self._held.pop(stream, [])
        if not raw.strip():
            return [MessageDropped(message.index), *held]
        if _NOISE.match(raw.strip()) and (self.messages or self._tool_results):
            return [MessageDropped(message.index), *held]
        self.messages.append(raw)
        # one offer per kind for the whole turn: two messages saying "click Export"
        # in different words must not offer the export twice
        self.actions += [a for a in gui_actions(raw) if all(a.kind != b.kind for b in self.actions)]
        return [Message(message.index, raw, complete), *held]

    def _thought(self, event: ev.Text) -> list[UIEvent]:
        if event.partial:
            self._thoughts.setdefault(event.stream, []).append(event.text)
            return []
        self._thoughts.pop(event.stream, None)
        if event.stream in self._thought_shown:
            self._thought_shown.discard(event.stream)
            return []
        return [Thought(event.text)] if event.text.strip() else []

    def _new_index(self) -> int:
        self._next_index += 1
        return self._next_index - 1
