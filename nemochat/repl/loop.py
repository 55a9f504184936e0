"""The REPL loop: one prompt that never goes away.

The prompt is drawn first and stays up: the connection (token, session) is
made in the background, each turn with the agent runs as a task while the
prompt keeps its place under the streamed answer, and exports run as
background jobs the toolbar follows. So:

- Ctrl-C while the agent answers cancels the turn's task: the stream closes
  at once (the ``async with`` around the httpx response exits), the message
  is never resent, and the user is told what may still be going on;
- Enter while the agent answers sends nothing (the text stays), except the
  commands that are safe meanwhile (/credits, /jobs, /export, /help...);
- after a turn, GUI actions become offers answered at the prompt and the agent's question
  becomes lettered choices answered at the prompt.

The runtime itself (the HTTP client, the ledger, the demo's simulator) may
arrive after the prompt is drawn: ``run(runtime=...)`` builds it in the
background, and whatever needs it (a turn, a command, the connection) waits
for it; the toolbar says "connecting…" meanwhile.

``Repl`` owns components it hands what they need when it builds them:
``frames.Frames`` (when the prompt's area is redrawn), ``turns.Turns``
(what the user typed, run as the task Ctrl-C cancels), ``interrupts.Interrupts``
(Ctrl-C, SIGINT, Ctrl-D and leaving; it sees the loop as a ``LoopState``) and
``offers.OfferDesk`` (yes/no at the prompt, answered with a line). It builds
its own ``Printer`` (given its pacing, ``hold``) and ``LiveView``, whose
``ViewEvents`` it is: its methods forward to the components it owns, so the
order they are built in needs no callback assigned afterwards. The
runtime's conversation is built with ``conversation_hooks()``: exports run as
background jobs, the fallback's cost question is asked at the prompt.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout
from rich.text import Text

from nemochat.core import ui_events as ui
from nemochat.errors import NemochatError
from nemochat.repl import actions, screen
from nemochat.repl.choices import Offer, PendingQuestion
from nemochat.repl.commands import ReplContext, default_registry
from nemochat.repl.completer import ReplCompleter
from nemochat.repl.connection import Connection
from nemochat.repl.background import Background
from nemochat.repl.frames import Frames
from nemochat.repl.interrupts import Interrupts
from nemochat.repl.jobs import Job, JobManager
from nemochat.repl.keys import make_prompt_session, open_history
from nemochat.repl.live_view import LiveView
from nemochat.repl.offers import OfferDesk
from nemochat.repl.printer import Printer
from nemochat.repl.reflow import follow_reflow
from nemochat.repl.sessions import known_sessions
from nemochat.repl.texts import examples, lang_of, text
from nemochat.repl.turns import Turns
from nemochat.settings import Settings

if TYPE_CHECKING:  # the app is imported in the background, after the prompt is drawn
    from nemochat.app.conversation import Conversation, ConversationHooks, Session
    from nemochat.app.runtime import Runtime


def greet(view: LiveView, lang: str, *, demo: bool = False) -> None:
    """The first screen: what this is (the demo says it is one), three things to try, the keys."""
    view.console.print(Text(text(lang, "welcome"), style="bold"))
    if demo:
        view.console.print(Text(text(lang, "demo"), style="yellow"))
    view.console.print(Text(text(lang, "try"), style="dim"))
    for example in examples(lang):
        view.console.print(Text("  • ", style="dim") + Text(example, style="cyan"))
    view.console.print(Text(text(lang, "keys"), style="dim"))
    view.console.print()


class Repl(ReplContext):
    def __init__(
        self,
        *,
        settings: Settings,
        out: IO[str] | None = None,
        color: bool = True,
        show_thoughts: bool = False,
        input: Input | None = None,
        output: Output | None = None,
        history: Path | None = None,
    ) -> None:
        """``out``: where the printer writes (the terminal); the view is the loop's
        own, built here with the loop as its ``ViewEvents``. The runtime comes later:
        ``run(runtime=...)`` builds it, or ``attach`` hands it over; either way it is
        opened with ``conversation_hooks()``."""
        self.settings = settings
        self.attached_runtime: Runtime | None = None  # (``runtime`` once it is there)
        self._ready: asyncio.Event | None = None
        self._runtime_task: asyncio.Task[None] | None = None
        self._startup_error: BaseException | None = None
        self.printer = Printer(out, hold=self.hold)
        self.view = LiveView(self.printer, events=self, show_thoughts=show_thoughts, color=color, lang=settings.lang)
        self.lang = lang_of(self.settings.lang)
        self.registry = default_registry()
        self.bg = Background(self)
        self.jobs = JobManager(on_finish=self.bg.finished, on_change=self.changed)
        self.desk = OfferDesk(busy=self.busy, changed=self.changed, say=self.say, say_text=self.say_text, take=self.take_offer)
        self.interrupts = Interrupts(self, desk=self.desk, jobs=self.jobs)
        self.link = Connection(self)
        self.turns = Turns(self)
        self.message_cache: tuple[int, Any] | None = None  # screen.prompt_message's, per redraw
        self.prompt = make_prompt_session(
            self,
            message=lambda: screen.prompt_message(self),
            bottom_toolbar=lambda: screen.bottom_toolbar(self),
            completer=ReplCompleter(self.registry, lambda: known_sessions(self.attached_runtime) if self.attached_runtime is not None else [],
                                    lambda: self.lang),
            history=open_history(history),
            input=input,
            output=output,
        )
        follow_reflow(self.prompt.app)  # a narrower window leaves no copy of the live lines behind
        self.frames = Frames(self.prompt.app, view=self.view, printer=self.printer, jobs=self.jobs, changed=self.changed)

    def conversation_hooks(self) -> ConversationHooks:
        """What the REPL decides for the runtime's conversation (``open_runtime(hooks=...)``)."""
        from nemochat.app.conversation import ConversationHooks

        return ConversationHooks(
            on_export=self.bg.export_intent,  # in the REPL an export runs in the background
            confirm=self.confirm,  # "Generate with Sora 2 … instead?": asked at the prompt; only a typed yes spends
        )

    def attach(self, rt: Runtime) -> None:
        """The runtime is there: everything that waited for it goes on."""
        self.attached_runtime = rt  # its conversation built with ``conversation_hooks()``
        if self._ready is not None:
            self._ready.set()
        self.changed()

    @property
    def runtime(self) -> Runtime:
        """The runtime, for what runs once it is there (turns and commands wait
        for it: ``until_ready``); before that, a bug: ``attached_runtime`` is None."""
        if self.attached_runtime is None:
            raise RuntimeError("the runtime is not there yet (until_ready)")
        return self.attached_runtime

    @property
    def conversation(self) -> Conversation:
        return self.runtime.conversation

    async def until_ready(self) -> None:
        """Wait for the runtime (at once when it is there)."""
        if self.attached_runtime is not None:
            return
        if self._ready is None:
            self._ready = asyncio.Event()
        await self._ready.wait()

    async def _open_runtime(self, runtime: Awaitable[Runtime]) -> None:
        """After the first frame: build the runtime (imports, the client, the
        ledger, the demo's simulator) while the user can already type."""
        try:  # (a dumb terminal gets prompt_toolkit's plain prompt, another app: then a moment is enough)
            await asyncio.wait_for(self.frames.drawn.wait(), 0.1)  # (the first frame may be drawn before this task runs)
        except TimeoutError:
            pass
        try:
            self.attach(await runtime)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # the REPL cannot go on without it: leave, and say why (cli.main)
            self._startup_error = exc
            self.request_quit(force=True)

    # -- running -----------------------------------------------------------------------------

    async def run(self, runtime: Awaitable[Runtime] | None = None) -> int:
        """The prompt until the user leaves; ``runtime``: build it meanwhile."""
        if self.attached_runtime is None and self._ready is None:
            self._ready = asyncio.Event()
        if runtime is not None:
            self._runtime_task = asyncio.create_task(self._open_runtime(runtime), name="runtime")
        self.printer.start()
        self.link.start()
        ticker = self.frames.start()
        restore_sigint = self.interrupts._catch_sigint()
        try:
            with patch_stdout(raw=True):
                while not self.interrupts.quitting:
                    try:
                        line = await self.prompt.prompt_async()
                    except EOFError:
                        self.interrupts.ask_quit()
                        continue
                    except KeyboardInterrupt:
                        continue
                    if not self.interrupts.quitting:
                        self.submit(line)
        finally:
            restore_sigint()
            ticker.cancel()
            await self._shutdown()
        if self._startup_error is not None:
            raise self._startup_error
        return 0

    async def _shutdown(self) -> None:
        tasks = [t for t in (self.turns.fg, self._runtime_task, *self.turns.side) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await self.link.stop()
        await self.jobs.cancel_all()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.printer.stop()
        self.say(text(self.lang, "bye"), "dim")

    async def ensure_connected(self) -> Session:
        return await self.link.ensure()

    # -- what a taken offer does; texts for the screen -------------------------------------------

    def take_offer(self, offer: Offer) -> None:
        if offer.kind == "quit":
            self.request_quit(force=True)
        elif offer.kind == "export":
            self.start_export(None)
        elif offer.kind == "status":
            self.turns.foreground(self.turns.guarded(self.conversation.show_status()), turn=False)

    # -- offers at the prompt (the desk's) ---------------------------------------------------------

    @property
    def offer(self) -> Offer | None:
        return self.desk.offer

    async def confirm(self, question: str, *, default: bool = False) -> bool:
        return await self.desk.confirm(question, default=default)

    def answer_offer(self, yes: bool, *, quietly: bool = False) -> None:
        self.desk.answer_offer(yes, quietly=quietly)

    def drop_offers(self) -> None:
        self.desk.drop_offers()

    # -- the prompt's area (the frames') ---------------------------------------------------------------

    def changed(self) -> None:
        """Something in the prompt's area changed: redraw it now (from any task or thread)."""
        self.frames.redraw()

    def moved(self) -> None:
        """Streamed text or progress moved on: redraw at the next frame."""
        self.frames.moved()

    def streamed(self) -> None:
        """New text of an answer: redraw within a few dozen ms."""
        self.frames.streamed()

    def hold(self) -> float:
        """How long printed text may wait for the next frame (the printer's)."""
        return self.frames.hold()

    def hint(self, message: str) -> None:
        self.frames.hint(message)

    def current_hint(self) -> str | None:
        return self.frames.current_hint()

    def on_cursor_report(self) -> None:
        self.frames.on_cursor_report()

    # -- what the view tells the loop (the rest of its ViewEvents) -------------------------------------

    def credits_shown(self, event: ui.CreditsShown) -> None:
        self.link.set_credits(event.available)

    def session_ready(self, event: ui.SessionReady) -> None:
        self.link.session_ready(event)

    def job_event(self, job: Job, event: ui.UIEvent) -> bool:
        """An event raised inside a background job; True when the job took it."""
        return self.bg.event(job, event)

    # -- what was typed, run as tasks (the turns') --------------------------------------------------

    @property
    def question(self) -> PendingQuestion | None:
        """The agent's lettered question, answered at the prompt."""
        return self.turns.question

    @question.setter
    def question(self, question: PendingQuestion | None) -> None:
        self.turns.question = question

    def submit(self, line: str) -> None:
        self.turns.submit(line)

    def busy(self) -> bool:
        return self.turns.busy()

    def answering(self) -> bool:
        return self.turns.answering()

    def interrupt(self) -> None:
        self.turns.interrupt()

    def may_submit(self, typed: str) -> bool:
        return self.turns.may_submit(typed)

    def on_refused_submit(self) -> None:
        self.turns.on_refused_submit()

    def background(self, work: Any) -> None:
        self.turns.background(work)

    def answer_task(self) -> asyncio.Task[None] | None:
        """The turn the agent is answering, if the foreground task is one."""
        return self.turns.fg if self.turns.fg_turn else None

    # -- Ctrl-C, Ctrl-D, leaving (the interrupts') -------------------------------------------------

    def on_ctrl_c(self, had_text: bool) -> None:
        self.interrupts.on_ctrl_c(had_text)

    def on_ctrl_d(self) -> bool:
        return self.interrupts.on_ctrl_d()

    def request_quit(self, force: bool = False) -> None:
        self.interrupts.request_quit(force)

    def cancel_connecting(self) -> bool:
        return self.link.cancel()

    def stop_prompt(self) -> None:
        if self.prompt.app.is_running:
            self.prompt.app.exit(result="")

    def say_text(self, key: str) -> str:
        return text(self.lang, key)

    # -- ReplContext ----------------------------------------------------------------------------------

    def say(self, message: str, style: str = "") -> None:
        self.view.say(message, style)

    def show(self, renderable: Any) -> None:
        self.view.show(renderable)

    def fail(self, error: NemochatError) -> None:
        rt = self.attached_runtime
        (rt.view if rt is not None else self.view).error(error)

    def unexpected(self, exc: BaseException) -> None:
        self.say(text(self.lang, "unexpected", error=f"{type(exc).__name__}: {exc}"), "red")
        if self.settings.debug:
            self.say(traceback.format_exc(), "dim")
        else:
            self.say(text(self.lang, "unexpected_debug"), "dim")

    async def switch_session(self, session_id: str | None) -> None:
        await actions.switch_session(self, session_id)

    async def upload(self, paths: list[str]) -> None:
        await actions.upload(self, paths)

    async def open_project(self) -> None:
        await actions.open_project(self)

    def start_export(self, output: str | None) -> None:
        self.bg.export(output)

    def start_job(self, kind: str, label: str, body: Callable[[Job], Awaitable[str | None]]) -> Job:
        return self.bg.start(kind, label, body)

    def clear_screen(self) -> None:
        output = self.prompt.app.output

        def clear() -> None:
            output.erase_screen()
            output.cursor_goto(0, 0)
            output.flush()

        self.printer.then(clear)

