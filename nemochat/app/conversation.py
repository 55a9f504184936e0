"""The conversation: one session with the agent, driven by the REPL or `ask`.

It owns the session, routes what the user typed (protocol.md "Routing"),
runs a turn end to end and applies the recovery policies that are not plain
retries: a lost session becomes a new one (said aloud), a dropped stream is
never resent but recovered by reading the state, a silent turn is explained
by diffing the state before and after, and NemoVideo out of reach (even for
the first token) lets a video request go to the fallback (app.fallback).
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import httpx

from nemochat.app.export import ConfirmCancel, ExportOptions, ExportResult, FillEmpty, export_video
from nemochat.app.fallback import Fallback, why_fallback
from nemochat.app.provider_session import Confirm
from nemochat.app.recovery import recover_after_drop
from nemochat.app.turn_driver import Emit, drive_turn
from nemochat.app.upload import upload_intent
from nemochat.app.video_jobs import JobOutcome
from nemochat.clients.nemo import NemoClient, SessionInfo
from nemochat.core.draft import Timeline, diff_timelines, timeline_from_state
from nemochat.core.durations import spoken
from nemochat.core.gui import GuiAction
from nemochat.core.router import Intent, route_intent
from nemochat.core.turn import TurnState
from nemochat.core.ui_events import ActionOffered, ChangesShown, CreditsShown, Notice, SessionReady, StateShown, UserSaid
from nemochat.errors import BackendError, CreditsError, NemochatError, NetworkError, SessionNotFound, StreamDropped, UsageError
from nemochat.settings import Paths, Settings
from nemochat.store import Ledger, ledger_path
from nemochat.store.transcript import recap


@dataclass
class TurnOutcome:
    """What one user line led to; the command line turns it into an exit code."""

    intent: Intent
    turn: TurnState | None = None
    changes: tuple[str, ...] = ()
    error: NemochatError | None = None
    actions: list[GuiAction] = field(default_factory=list)
    video: JobOutcome | None = None  # made by the fallback (app.fallback) instead of NemoVideo


def is_local_file(path: str) -> bool:
    return os.path.isfile(os.path.expanduser(path))


class Session(Protocol):
    """What ``connect()`` gives: a ``SessionInfo``, or an ``UnavailableSession``
    whose every field raises the reason NemoVideo can't serve one."""

    @property
    def session_id(self) -> str: ...
    @property
    def task_id(self) -> str | None: ...
    @property
    def user_id(self) -> str | None: ...


class UnavailableSession:
    """What ``connect()`` gives when NemoVideo can't serve a session (out of
    reach after the safe retries) but the fallback could still make a video:
    the line decides. Wherever it is used as a session, the reason is raised."""

    def __init__(self, error: BackendError) -> None:
        self.error = error

    @property
    def session_id(self) -> str:
        raise self.error

    @property
    def task_id(self) -> str | None:
        raise self.error

    @property
    def user_id(self) -> str | None:
        raise self.error


@dataclass(frozen=True)
class ConversationHooks:
    """What the front end (the REPL, a command) decides for a conversation, given when it is built."""

    on_export: Callable[[Intent], Awaitable[object]] | None = None  # an export intent (the REPL: a background job); None: export and wait
    confirm: Confirm | None = None  # the fallback's cost question (the REPL: at its prompt); None: on the terminal when there is one
    confirm_cancel: ConfirmCancel | None = None  # asked when Ctrl-C stops an export mid-render; None: never ask, leave it running
    fill_empty: FillEmpty | None = None  # --demo: the simulator's sample clip on an empty project before an export (app.runtime)


NO_HOOKS = ConversationHooks()  # a one-shot command's: export and wait, ask on the terminal


class Conversation:
    def __init__(
        self, nemo: NemoClient, settings: Settings, paths: Paths, emit: Emit, *, ledger: Ledger | None = None, hooks: ConversationHooks = NO_HOOKS
    ) -> None:
        self.nemo = nemo
        self.settings = settings
        self.paths = paths
        self.emit = emit
        self.ledger = ledger or Ledger(ledger_path(paths))  # the sessions of each backend, and their history
        self.session: SessionInfo | None = None
        # Extra intents (export, upload, fallback) plug in here without an if-chain.
        self.handlers: dict[str, Callable[[Intent], Awaitable[object]]] = {
            "credits": lambda intent: self.show_credits(),
            "status": lambda intent: self.show_status(),
            "export": hooks.on_export or (lambda intent: self.export(ExportOptions(output=intent.output))),
            "upload": lambda intent: upload_intent(self, intent),
        }
        # Sora/Veo/gateway when NemoVideo can't generate.
        self.fallback = Fallback(settings, paths, emit, confirm=hooks.confirm, ledger=self.ledger)
        self.confirm_cancel = hooks.confirm_cancel
        self.fill_empty = hooks.fill_empty
        # Why the last connect() could not reach NemoVideo, while the fallback could serve
        # this line; the REPL clears it before each line, so the next one tries again.
        self.unavailable: BackendError | None = None

    # -- session --------------------------------------------------------------------

    async def connect(self) -> Session:
        """Token, then the session: ``--session``, else this backend's last, else new.

        NemoVideo out of reach while the fallback could make a video: no error
        yet, an ``UnavailableSession`` (see ``unavailable``): a video request
        is then offered the fallback, anything else fails with the reason."""
        if self.session is not None:
            return self.session
        if self.unavailable is not None:  # found out for this line already: not the retries' waits again
            return UnavailableSession(self.unavailable)
        try:
            return await self._connect()
        except BackendError as error:
            if not self._fallback_could_serve(error):
                raise
            self.unavailable = error
            return UnavailableSession(error)

    def _fallback_could_serve(self, error: BackendError) -> bool:
        return why_fallback(error) is not None and not self.settings.no_fallback and self.fallback.route() is not None

    async def _connect(self) -> SessionInfo:
        await self.nemo.ensure_token()
        wanted, api_base = self.settings.session, self.settings.backend
        if wanted == "new":
            return await self.new_session()
        known = self.ledger.find_session(wanted, api_base) if wanted else self.ledger.last_session(api_base)
        if wanted and not known:
            await self._check_exists(wanted)
        session_id = known.id if known else wanted  # a unique prefix of a known id is enough
        if session_id:
            self.session = SessionInfo(session_id, known.task_id if known else None, known.user_id if known else self.nemo.user_id)
            self.nemo.user_id = self.nemo.user_id or self.session.user_id
            self.ledger.touch_session(api_base, self.session.session_id)
            self.emit(SessionReady(self.session.session_id, self.session.task_id, self.session.user_id, resumed=True, demo=self.settings.demo))
            if wanted and known and known.turns:  # asked for by name: say where it left off
                self.emit(Notice(recap(self.ledger.turns(known.id, last=3), self.settings.lang)))
            return self.session
        return await self.new_session()

    async def _check_exists(self, session_id: str) -> None:
        """A session this machine never used: ask the server before adopting it,
        so a typo is an error rather than a new default."""
        try:
            await self.nemo.state(session_id)
        except SessionNotFound:
            raise UsageError(
                f"no session {session_id} on this backend",
                action="`nemochat sessions` lists the ones this machine knows; --session new starts one.",
                key="session.unknown", sid=session_id,
            ) from None

    async def new_session(self) -> SessionInfo:
        self.session = await self.nemo.create_session(self.settings.lang)
        s = self.session
        self.ledger.touch_session(self.settings.backend, s.session_id, task_id=s.task_id, user_id=s.user_id, language=self.settings.lang)
        # Shown once, for a new session only; the demo's projects have no page anywhere real.
        claim = None if self.settings.demo else await self.nemo.claim_url(s.task_id, s.session_id)
        self.emit(SessionReady(s.session_id, s.task_id, s.user_id, claim_url=claim, resumed=False, demo=self.settings.demo))
        return s

    async def switch_session(self, session_id: str | None) -> None:
        """Leave this session for a new one (None) or for ``session_id``, which
        must exist on the backend first (``SessionNotFound`` if it does not)."""
        await self.nemo.ensure_token()
        if session_id is None:
            self.settings = replace(self.settings, session=None)
            await self.new_session()
            return
        await self.nemo.state(session_id)  # it must exist before we leave this one
        self.settings = replace(self.settings, session=session_id)
        self.session = None
        await self.connect()

    def try_again(self) -> None:
        """A new line: NemoVideo gets another try (``connect`` forgets it was out of reach)."""
        self.unavailable = None

    async def session_call(self, call):
        """Run ``call(session_id)``; a lost session becomes a new one, once."""
        session = await self.connect()
        try:
            return await call(session.session_id)
        except SessionNotFound:
            self.emit(Notice("That session no longer exists on the server; starting a new one.", kind="recovery", key="session.gone"))
            session = await self.new_session()
            return await call(session.session_id)

    # -- what the user typed --------------------------------------------------------

    async def handle(self, text: str) -> TurnOutcome:
        """A line as typed (``ask``): routed (protocol.md, "Routing"), then handled."""
        return await self.handle_intent(route_intent(text, is_file=is_local_file))

    async def handle_intent(self, intent: Intent) -> TurnOutcome:
        """A line already routed (the REPL routes as it reads, to know what it runs)."""
        handler = self.handlers.get(intent.kind)
        if intent.kind == "message" or handler is None:
            if intent.kind != "message":
                raise UsageError(f"'{intent.kind}' is not available here yet", action="Try the matching command.", key="intent.unavailable", kind=intent.kind)
            return await self.send_message(intent)
        outcome = TurnOutcome(intent)
        await handler(intent)
        return outcome

    async def run_action(self, action: GuiAction) -> None:
        """Do what the backend told the user to click (``--yes`` or a confirmation)."""
        if action.kind == "edit":
            return  # an edit needs the user's words; the offer already said so
        handler = self.handlers.get(action.kind)
        if handler is not None:
            await handler(Intent(action.kind, action.command))

    async def export(self, options: ExportOptions, *, confirm_cancel: ConfirmCancel | None = None, preview: bool = True) -> ExportResult:
        """The one export, whoever asks: ``nemochat export``, the "export"/"导出"
        intent and the GUI's "Export button", the REPL's export job. The flow
        (app.export), with the demo's sample clip on an empty project, then
        the video's keyframes under the saved path (``preview=False``: the REPL
        shows them after its job's own line). ``confirm_cancel``: what this
        export asks when Ctrl-C stops it mid-render, else the conversation's."""
        result = await export_video(self, options, confirm_cancel=confirm_cancel or self.confirm_cancel, fill_empty=self.fill_empty)
        if preview:
            from nemochat.preview.show import after_download  # (PyAV and Pillow load only when a preview is made)

            await after_download(result.path, self.emit, self.settings)
        return result

    async def show_credits(self) -> CreditsShown:
        if self.unavailable is not None:  # connect() just failed to reach NemoVideo: say so, without waiting again
            raise self.unavailable
        data = await self.nemo.credits()
        shown = CreditsShown(*(_num(data.get(field), field) for field in ("available", "frozen", "total")))
        self.emit(shown)
        return shown

    async def read_timeline(self) -> Timeline:
        return timeline_from_state(await self.session_call(self.nemo.state))

    async def show_status(self) -> Timeline:
        timeline = await self.read_timeline()
        self.emit(StateShown(timeline))
        return timeline

    # -- a turn with the agent ----------------------------------------------------------

    async def send_message(self, intent: Intent) -> TurnOutcome:
        outcome = TurnOutcome(intent)
        if self.unavailable is not None:  # connect() could not reach NemoVideo for this line
            return await self._fall_back(outcome, self.unavailable)
        try:
            before: Timeline | None = await self.read_timeline()
        except NetworkError as unreachable:  # not even a read gets through (after its retries): don't send into that
            return await self._fall_back(outcome, unreachable)
        except BackendError:
            before = None
        try:
            outcome.turn = await self._stream_turn(intent.text)
        except StreamDropped as dropped:
            outcome.changes = await recover_after_drop(self, before, dropped)
            return outcome
        except (CreditsError, BackendError) as exc:
            return await self._fall_back(outcome, exc)
        turn = outcome.turn
        for ui in turn.close():
            self.emit(ui)
        if turn.silent and not turn.errors:
            after = await self.timeline_or_none()
            if before is not None and after is not None:
                outcome.changes = diff_timelines(before, after)
                self.emit(ChangesShown(outcome.changes))
        if turn.errors:
            first = turn.errors[0]
            outcome.error = BackendError(first.message, code=first.code or "agent_error")
            # The turn broke off: the error is its last word, and an offer made
            # before it (e.g. "export") would act on a result that may not exist.
            return outcome
        outcome.actions = list(turn.actions)
        for action in turn.actions:
            self.emit(ActionOffered(action))
        return outcome

    async def _stream_turn(self, text: str) -> TurnState:
        turn = TurnState(started_at=asyncio.get_running_loop().time(), still_working_every=self.settings.still_working_every)

        async def run(session_id: str) -> TurnState:
            self.emit(UserSaid(text, session_id))
            async with self.nemo.run_sse(session_id, text) as batches:
                try:
                    async with asyncio.timeout(self.settings.stream_cap):
                        return await drive_turn(batches, self.emit, turn=turn, clock=asyncio.get_running_loop().time)
                except TimeoutError:
                    raise StreamDropped(
                        f"No end after {spoken(self.settings.stream_cap)}; stopped listening.", code="stream_cap",
                        key="stream.cap", cap=spoken(self.settings.stream_cap),
                    ) from None
                except (httpx.HTTPError, UnicodeDecodeError):
                    raise StreamDropped("The connection dropped mid-answer.", key="stream.dropped") from None

        return await self.session_call(run)

    async def _fall_back(self, outcome: TurnOutcome, exc: CreditsError | BackendError) -> TurnOutcome:
        """NemoVideo can't generate: maybe Sora/Veo/a gateway can (asked
        first); if nothing is made there, the reason is the line's error."""
        error = self._with_register_link(exc) if isinstance(exc, CreditsError) else exc
        session_id = self.session.session_id if self.session else None
        outcome.video = await self.fallback.offer(outcome.intent.text, error, session_id=session_id)
        if outcome.video is None:
            raise error from None
        return outcome

    async def timeline_or_none(self) -> Timeline | None:
        try:
            return await self.read_timeline()
        except BackendError:
            return None

    def _with_register_link(self, exc: CreditsError) -> CreditsError:
        if exc.code != "2001":
            return exc
        link = self.nemo.register_url()
        action = (
            f"Register to get more credits: {link}" if link else "Top up at nemovideo.ai."
        )
        return CreditsError("Not enough credits for this.", code=2001, action=action, key="credits.register" if link else "credits.top_up", link=link or "")


def _num(value: object, field: str = "value") -> float:
    if not isinstance(value, int | float | str):  # (null, a list...: no balance)
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    if not math.isfinite(number):  # NaN, Infinity, 1e999: never shown as a balance
        raise BackendError(f"Reading credits: NemoVideo answered something unexpected ({field} is not a number)", code="bad_answer",
                           key="bad_answer", who="NemoVideo", what="Reading credits")
    return number
