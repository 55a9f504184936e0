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
- after a turn, GUI actions become one-key offers and the agent's question
  becomes lettered choices answered at the prompt.

The runtime itself (the HTTP client, the ledger, the demo's simulator) may
arrive after the prompt is drawn: ``run(runtime=...)`` builds it in the
background, and whatever needs it (a turn, a command, the connection) waits
for it; the toolbar says "connecting…" meanwhile.
"""

from __future__ import annotations

import asyncio
import signal
import time
import traceback
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout
from rich.text import Text

from nemochat.core.router import Intent, route_intent
from nemochat.errors import CreditsError, Interrupted, NemochatError
from nemochat.repl import actions, screen
from nemochat.repl.choices import Offer, PendingQuestion, PickError, offers_for
from nemochat.repl.commands import ReplContext, default_registry, parse_command, suggest
from nemochat.repl.completer import ReplCompleter
from nemochat.repl.connection import Connection
from nemochat.repl.background import Background
from nemochat.repl.jobs import JobManager
from nemochat.repl.keys import make_prompt_session, open_history
from nemochat.repl.live_view import LiveView
from nemochat.repl.offers import OfferDesk
from nemochat.repl.printer import Printer, held_output
from nemochat.repl.sessions import known_sessions
from nemochat.repl.texts import LONG_PROMPT_CHARS, examples, lang_of, text
from nemochat.settings import Settings

if TYPE_CHECKING:  # the app is imported in the background, after the prompt is drawn
    from nemochat.app.runtime import Runtime

HINT_SECONDS = 4.0
FRAME = 0.1  # how often the loop looks whether the live area needs a redraw
# While an answer streams, its text is redrawn about once a second, and its
# finished blocks go above just as often (until then they stay in the live
# area, in place): a redraw of the prompt's area costs a few ms (prompt_toolkit
# lays it all out again; printing above costs two, the terminal's cursor
# report answering the first), and the screen must not cost more than the
# stream: bench/run.py, a 2,000-delta answer at 50 deltas/s, ≤ 2% of a core.
# Any redraw counts as a frame. A fast stream does not wait: a few KB waiting
# are printed at once (printer.HOLD_BYTES).
STREAM_FRAME = 1.25
PRINT_EVERY = 1.25


def greet(view: LiveView, lang: str) -> None:
    """The first screen: what this is, three things to try, the keys."""
    view.console.print(Text(text(lang, "welcome"), style="bold"))
    view.console.print(Text(text(lang, "try"), style="dim"))
    for example in examples(lang):
        view.console.print(Text("  • ", style="dim") + Text(example, style="cyan"))
    view.console.print(Text(text(lang, "keys"), style="dim"))
    view.console.print()


def is_local_file(path: str) -> bool:
    from nemochat.app.conversation import is_local_file

    return is_local_file(path)


def _first_path(typed: str) -> str:
    """The first word of a line as a shell reads it: a dragged path's
    backslash escapes and quotes undone ("/tmp/a/same\\ \\(2\\).mp4")."""
    import shlex

    try:
        words = shlex.split(typed.strip())
    except ValueError:
        words = []
    return words[0] if words else (typed.split() or [""])[0]


class Repl(OfferDesk, ReplContext):
    def __init__(
        self,
        rt: Runtime | None,
        view: LiveView,
        printer: Printer,
        *,
        settings: Settings | None = None,
        input: Input | None = None,
        output: Output | None = None,
        history: Path | None = None,
    ) -> None:
        """``rt`` None: the runtime comes later (``run(runtime=...)``); ``settings`` are then needed."""
        self.settings: Settings = settings or rt.settings  # type: ignore[union-attr]
        self.runtime: Any = None
        self.conversation: Any = None
        self._ready: asyncio.Event | None = None
        self._runtime_task: asyncio.Task[None] | None = None
        self._startup_error: BaseException | None = None
        self.view = view
        self.printer = printer
        self.lang = lang_of(self.settings.lang)
        self.registry = default_registry()
        self.bg = Background(self)
        self.jobs = JobManager(on_finish=self.bg.finished, on_change=self.changed)
        self.offers: list[Offer] = []
        self._asks: dict[int, asyncio.Future[bool]] = {}  # offers someone awaits (confirm)
        self.question: PendingQuestion | None = None
        self.link = Connection(self)
        self._fg: asyncio.Task[None] | None = None  # the turn or command the prompt waits on
        self._fg_turn = False
        self._stopped_label: str | None = None
        self._side: set[asyncio.Task[Any]] = set()
        self._quit = False
        self._dirty = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hint: tuple[str, float] | None = None
        view.changed = self.changed
        view.moved = self.moved
        printer.hold = self._hold
        self._moved = False
        self._last_frame = 0.0
        view.on_credits = lambda event: self.link.set_credits(event.available)
        view.on_session = self.link.session_ready
        view.job_event = self.bg.event
        self.prompt = make_prompt_session(
            self,
            message=lambda: screen.prompt_message(self),
            bottom_toolbar=lambda: screen.bottom_toolbar(self),
            completer=ReplCompleter(self.registry, lambda: known_sessions(self.runtime) if self.runtime is not None else []),
            history=open_history(history),
            input=input,
            output=output,
        )
        if rt is not None:
            self.attach(rt)

    def attach(self, rt: Runtime) -> None:
        """The runtime is there: everything that waited for it goes on."""
        self.runtime = rt
        self.conversation = rt.conversation
        self.conversation.handlers["export"] = self.bg.export_intent  # in the REPL an export runs in the background
        self.conversation.fallback.confirm = self.confirm  # "Generate with Sora 2 … instead? [y/N]" with one key
        if self._ready is not None:
            self._ready.set()
        self.changed()

    async def until_ready(self) -> None:
        """Wait for the runtime (at once when it is there)."""
        if self.runtime is not None:
            return
        if self._ready is None:
            self._ready = asyncio.Event()
        await self._ready.wait()

    async def _open_runtime(self, runtime: Awaitable[Runtime]) -> None:
        """After the first frame: build the runtime (imports, the client, the
        ledger, the demo's simulator) while the user can already type."""
        drawn = asyncio.Event()

        def after_render(app: Any) -> None:
            drawn.set()

        self.prompt.app.after_render += after_render
        try:  # (a dumb terminal gets prompt_toolkit's plain prompt, another app: then a moment is enough)
            await asyncio.wait_for(drawn.wait(), 0.1)
        except TimeoutError:
            pass
        finally:
            self.prompt.app.after_render -= after_render
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
        if self.runtime is None and self._ready is None:
            self._ready = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if runtime is not None:
            self._runtime_task = asyncio.create_task(self._open_runtime(runtime), name="runtime")
        self.printer.start()
        self.link.start()
        ticker = asyncio.create_task(self._tick(), name="redraw")
        restore_sigint = self._catch_sigint()
        try:
            with patch_stdout(raw=True):
                while not self._quit:
                    try:
                        line = await self.prompt.prompt_async()
                    except EOFError:
                        self._ask_quit()
                        continue
                    except KeyboardInterrupt:
                        continue
                    if not self._quit:
                        self.submit(line)
        finally:
            restore_sigint()
            ticker.cancel()
            await self._shutdown()
        if self._startup_error is not None:
            raise self._startup_error
        return 0

    async def _shutdown(self) -> None:
        tasks = [t for t in (self._fg, self._runtime_task, *self._side) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await self.link.stop()
        await self.jobs.cancel_all()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.printer.stop()
        self.say(text(self.lang, "bye"), "dim")

    def _catch_sigint(self):
        """SIGINT when no prompt is up (a split second between two prompts)
        acts like the Ctrl-C key instead of killing the REPL."""
        loop = asyncio.get_running_loop()
        try:
            previous = signal.signal(signal.SIGINT, lambda signum, frame: loop.call_soon_threadsafe(self.on_ctrl_c, False))
        except ValueError:  # not the main thread (tests)
            return lambda: None
        return lambda: signal.signal(signal.SIGINT, previous)

    async def _tick(self) -> None:
        last = 0.0

        def rendered(app: Any) -> None:  # any redraw (a key, the printer) is a frame
            self._last_frame = time.monotonic()

        self.prompt.app.after_render += rendered
        while True:
            await asyncio.sleep(FRAME)
            now = time.monotonic()
            moving = self.view.ticking or bool(self.jobs.running()) or self._hint is not None
            streamed = self._moved and now - self._last_frame >= STREAM_FRAME
            if self._dirty or streamed or (moving and now - max(last, self._last_frame) >= 0.5):
                self._dirty = self._moved = False
                last = now
                if self._hint and now > self._hint[1]:
                    self._hint = None
                self.prompt.app.invalidate()

    def _hold(self) -> float:
        """How long printed text may wait (while an answer streams; its first
        block goes at once)."""
        last = self.printer.last_run
        if not self.view.streaming or last < (self.view.turn_started or 0.0):
            return 0.0
        return max(0.0, last + PRINT_EVERY - time.monotonic())

    def moved(self) -> None:
        """Streamed text or progress moved on: redraw at the next frame."""
        self._moved = True

    def changed(self) -> None:
        """Something in the prompt's area changed: redraw it now (from any
        task, or any thread: the redraw is asked for on the loop's thread),
        so an offer or a question is on the screen without a key press."""
        self._dirty = True
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._invalidate()
        else:
            loop.call_soon_threadsafe(self._invalidate)

    def _invalidate(self) -> None:
        app = self.prompt.app
        if app.is_running:
            self._dirty = False  # redrawn now: not again at the next tick
            app.invalidate()

    async def ensure_connected(self) -> Any:
        return await self.link.ensure()

    # -- what the user typed --------------------------------------------------------------------

    def submit(self, line: str) -> None:
        typed = line.strip("\n")
        if not typed.strip():
            return
        self.drop_offers()  # typing something else declines what was offered
        if self._is_command(typed):
            self._command(typed.strip())
        elif self.question is not None:
            self._answer(typed)
        else:
            self._foreground(self._say_to_agent(typed.strip()), turn=True)

    def _is_command(self, typed: str) -> bool:
        if not typed.startswith("/") or typed.startswith("//"):
            return False
        word = typed[1:].split(maxsplit=1)[0] if typed[1:].strip() else ""
        if self.registry.get(word) is not None:
            return True
        # "/home/me/clip.mp4" (or "/tmp/a/same\\ \\(2\\).mp4") dropped into the chat is a file, not a command
        return not is_local_file(_first_path(typed))

    def _command(self, typed: str) -> None:
        word, args = parse_command(typed)
        word = word or "help"  # a lone "/"
        command = self.registry.get(word)
        if command is None:
            close = suggest(self.registry, word)
            hint = f" Did you mean /{close}?" if close else ""
            self.say(f"Unknown command /{word}.{hint} /help lists them.", "yellow")
            self.printer.separate()
            return
        run = self._guarded(command.resolve()(self, args))
        if self.busy():
            self.background(self._held(run, f"/{command.name}"))
        else:
            self._foreground(run, turn=False)

    async def _held(self, run: Any, label: str) -> None:
        """A command typed while the agent answers: it runs now, but what it
        prints waits for the answer to end, then comes as a block of its own
        (never between a tool line and the reply it belongs to)."""
        held: list[str] = []
        held_output.set(held)  # this task's context only
        turn = self._fg
        try:
            await run
        finally:
            held_output.set(None)
            if held and turn is not None and not turn.done():
                self.hint(text(self.lang, "held", command=label))
                await asyncio.wait([turn])
            if held:
                self.printer.separate()
                for chunk in held:
                    self.printer.write(chunk)
                self.printer.separate()
                self.changed()

    def _answer(self, typed: str) -> None:
        question = self.question
        assert question is not None
        try:
            words = question.answer(typed)
        except PickError as error:
            self.say(str(error), "yellow")
            return
        self.say("→ " + words, "dim")
        if question.done:
            self.question = None
            message = question.message()
            self._foreground(self._guarded(self._turn(Intent("message", message))), turn=True)

    async def _say_to_agent(self, typed: str) -> None:
        intent = route_intent(typed, is_file=is_local_file)
        if intent.kind == "message":
            await self._guarded(self._turn(intent, typed))
        else:
            await self._guarded(self._routed(typed))

    async def _routed(self, typed: str) -> None:
        await self.ensure_connected()
        await self.conversation.handle(typed)

    async def _turn(self, intent: Intent, typed: str | None = None) -> None:
        if len(intent.text) > LONG_PROMPT_CHARS:
            self.say(text(self.lang, "long_prompt"), "yellow")
        self.view.begin_turn()
        try:
            await self.ensure_connected()
            outcome = await (self.conversation.handle(typed) if typed is not None else self.conversation.send_message(intent))
        finally:
            self.view.end_turn()
        turn = outcome.turn
        if turn is None:
            return
        if turn.question is not None and turn.question.items:
            self.question = PendingQuestion(turn.question, lang=self.lang)
        self.offers.extend(offers_for(outcome.actions, self.lang))
        if turn.tools:  # a tool may have spent credits
            self.background(self.link.refresh_credits())
        self.changed()

    async def _guarded(self, work: Any) -> None:
        """Run a turn or a command: errors become one line, Ctrl-C a calm note."""
        try:
            try:
                await self.until_ready()
            except BaseException:
                if asyncio.iscoroutine(work):
                    work.close()  # never started: no "never awaited" warning
                raise
            await work
        except asyncio.CancelledError:
            if asyncio.current_task() is self._fg:
                self._say_stopped() if self._fg_turn else self.fail(Interrupted(text(self.lang, "stopped_command")))
            raise
        except NemochatError as error:
            self.fail(error)
            if isinstance(error, CreditsError):  # the toolbar's balance was out of date
                self.background(self.link.refresh_credits())
        except Exception as exc:
            self.unexpected(exc)

    def _say_stopped(self) -> None:
        what = text(self.lang, "stopped_what", label=self._stopped_label) if self._stopped_label else ""
        self.fail(Interrupted(text(self.lang, "stopped", what=what)))
        self.background(self.link.refresh_credits())  # the stopped turn may have spent some

    # -- tasks ------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self._fg is not None and not self._fg.done()

    def _foreground(self, work: Any, *, turn: bool) -> None:
        self._fg_turn = turn
        self._stopped_label = None
        self._fg = asyncio.create_task(work, name="turn" if turn else "command")
        self._fg.add_done_callback(self._foreground_done)
        self.changed()

    def _foreground_done(self, task: asyncio.Task[None]) -> None:
        self.printer.separate()  # one blank line before the next exchange
        self.changed()

    def background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._side.add(task)
        task.add_done_callback(self._side.discard)

    def interrupt(self) -> None:
        if not self.busy():
            return
        assert self._fg is not None
        self._stopped_label = self.view.tool.label if self.view.tool else None
        self._fg.cancel()
        self.view.stop_now()

    # -- keys (see keys.KeyState) -------------------------------------------------------------------

    def may_submit(self, typed: str) -> bool:
        if not self.busy():
            return True
        if not self._is_command(typed.strip()):
            return False
        command = self.registry.get(parse_command(typed.strip())[0])
        return command is not None and command.while_busy

    def on_refused_submit(self) -> None:
        self.hint(text(self.lang, "busy"))

    def on_ctrl_c(self, had_text: bool) -> None:
        if self.busy():
            self.interrupt()
        elif self.offers:
            self.drop_offers()
        elif self.question is not None and not had_text:
            self.question = None
            self.say("(question dismissed: just type what you want instead)", "dim")
        elif not had_text:
            self.hint(text(self.lang, "ctrl_c_idle"))
        self.changed()

    def take_offer(self, offer: Offer) -> None:
        if offer.kind == "quit":
            self.request_quit(force=True)
        elif offer.kind == "export":
            self.start_export(None)
        elif offer.kind == "status":
            self._foreground(self._guarded(self.conversation.show_status()), turn=False)

    def hint(self, message: str) -> None:
        self._hint = (message, time.monotonic() + HINT_SECONDS)
        self.changed()

    def current_hint(self) -> str | None:
        if self._hint and time.monotonic() <= self._hint[1]:
            return self._hint[0]
        return None

    def say_text(self, key: str) -> str:
        return text(self.lang, key)

    # -- leaving ----------------------------------------------------------------------------------

    def _still_running(self) -> list[str]:
        answer = [text(self.lang, "agent_answer")] if self.busy() and self._fg_turn else []
        return answer + [job.describe() for job in self.jobs.running()]

    def on_ctrl_d(self) -> bool:
        """Ctrl-D on an empty line: True to leave now, else ask first."""
        if not self._still_running():
            return True
        self._ask_quit()
        return False

    def _ask_quit(self) -> None:
        running = self._still_running()
        if not running:
            self.request_quit(force=True)
            return
        what = ", ".join(running)
        what = what[:1].upper() + what[1:]
        self.drop_offers()
        self.offers.append(Offer("quit", text(self.lang, "quit_confirm", what=what), default_yes=False))
        self.changed()

    def request_quit(self, force: bool = False) -> None:
        if not force and (self.jobs.running() or (self.busy() and self._fg_turn)):
            self._ask_quit()
            return
        self._quit = True
        if self.prompt.app.is_running:
            self.prompt.app.exit(result="")

    # -- ReplContext ----------------------------------------------------------------------------------

    def say(self, message: str, style: str = "") -> None:
        self.view.say(message, style)

    def show(self, renderable: Any) -> None:
        self.view.show(renderable)

    def fail(self, error: NemochatError) -> None:
        (self.runtime.view if self.runtime is not None else self.view).error(error)

    def unexpected(self, exc: BaseException) -> None:
        self.say(f"✗ Unexpected error: {type(exc).__name__}: {exc}", "red")
        if self.settings.debug:
            self.say(traceback.format_exc(), "dim")
        else:
            self.say("  Run with --debug for details; the chat goes on.", "dim")

    async def switch_session(self, session_id: str | None) -> None:
        await actions.switch_session(self, session_id)

    async def upload(self, paths: list[str]) -> None:
        await actions.upload(self, paths)

    async def open_project(self) -> None:
        await actions.open_project(self)

    def start_export(self, output: str | None) -> None:
        self.bg.export(output)

    def start_job(self, kind: str, label: str, body: Any) -> Any:
        return self.bg.start(kind, label, body)

    def clear_screen(self) -> None:
        output = self.prompt.app.output

        def clear() -> None:
            output.erase_screen()
            output.cursor_goto(0, 0)
            output.flush()

        self.printer.then(clear)

