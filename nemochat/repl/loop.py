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
"""

from __future__ import annotations

import asyncio
import signal
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout
from rich.text import Text

from nemochat.app.conversation import is_local_file
from nemochat.app.runtime import Runtime
from nemochat.core import ui_events as ui
from nemochat.core.router import Intent, route_intent
from nemochat.errors import Interrupted, NemochatError, SessionNotFound, UsageError
from nemochat.repl import screen
from nemochat.repl.choices import Offer, PendingQuestion, PickError, offers_for
from nemochat.repl.commands import ReplContext, default_registry, parse_command, suggest
from nemochat.repl.completer import ReplCompleter
from nemochat.repl.jobs import Job, JobManager
from nemochat.repl.keys import make_prompt_session, open_history
from nemochat.repl.live_view import LiveView, link
from nemochat.repl.printer import Printer, terminal_size
from nemochat.repl.sessions import known_sessions, recap, resolve
from nemochat.repl.texts import LONG_PROMPT_CHARS, examples, lang_of, text

HINT_SECONDS = 4.0
FRAME = 0.1  # the live area is redrawn at most 10 times a second


class Repl(ReplContext):
    def __init__(self, rt: Runtime, view: LiveView, printer: Printer, *, input: Input | None = None, output: Output | None = None, history: Path | None = None) -> None:
        self.runtime = rt
        self.conversation = rt.conversation
        self.view = view
        self.printer = printer
        self.lang = lang_of(rt.settings.lang)
        self.registry = default_registry()
        self.jobs = JobManager(on_finish=self._job_finished, on_change=self._changed)
        self.offers: list[Offer] = []
        self.question: PendingQuestion | None = None
        self.credits: float | None = None
        self.connection = "connecting"  # "connecting" | "ready" | "failed"
        self._fg: asyncio.Task[None] | None = None  # the turn or command the prompt waits on
        self._fg_turn = False
        self._stopped_label: str | None = None
        self._side: set[asyncio.Task[Any]] = set()
        self._connect_task: asyncio.Task[None] | None = None
        self._quit = False
        self._dirty = True
        self._hint: tuple[str, float] | None = None
        view.changed = self._changed
        view.on_credits = lambda event: self._set_credits(event.available)
        view.on_session = self._session_ready
        view.job_event = self._job_event
        self.conversation.handlers["export"] = self._export_intent
        self.prompt = make_prompt_session(
            self,
            message=lambda: screen.prompt_message(self),
            bottom_toolbar=lambda: screen.bottom_toolbar(self),
            completer=ReplCompleter(self.registry, lambda: known_sessions(self.runtime)),
            history=open_history(history),
            input=input,
            output=output,
        )

    # -- running -----------------------------------------------------------------------------

    async def run(self) -> int:
        self.greet()
        self.printer.start()
        self._connect_task = asyncio.create_task(self._connect(), name="connect")
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
        return 0

    def greet(self) -> None:
        self.view.console.print(Text(text(self.lang, "welcome"), style="bold"))
        self.view.console.print(Text(text(self.lang, "try"), style="dim"))
        for example in examples(self.lang):
            self.view.console.print(Text("  • ", style="dim") + Text(example, style="cyan"))
        self.view.console.print(Text(text(self.lang, "keys"), style="dim"))
        self.view.console.print()

    async def _shutdown(self) -> None:
        tasks = [t for t in (self._fg, self._connect_task, *self._side) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        if self.jobs.running():
            self.say("Stopping background jobs; a render keeps going on the server.", "dim")
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
        while True:
            await asyncio.sleep(FRAME)
            now = time.monotonic()
            moving = self.view.active or bool(self.jobs.running()) or self._hint is not None
            if self._dirty or (moving and now - last >= 0.5):
                self._dirty = False
                last = now
                if self._hint and now > self._hint[1]:
                    self._hint = None
                self.prompt.app.invalidate()

    def _changed(self) -> None:
        self._dirty = True

    # -- the connection ----------------------------------------------------------------------

    async def _connect(self) -> None:
        try:
            await self.conversation.connect()
        except NemochatError as error:
            self.connection = "failed"
            self.fail(error)
            self.say("Type anything to try again.", "dim")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.connection = "failed"
            self._unexpected(exc)
        self._changed()

    async def ensure_connected(self) -> Any:
        if self.conversation.session is not None:
            return self.conversation.session
        if self._connect_task is not None and not self._connect_task.done():
            await asyncio.shield(self._connect_task)
            if self.conversation.session is not None:
                return self.conversation.session
        self.connection = "connecting"
        self._changed()
        try:
            return await self.conversation.connect()
        except BaseException:
            self.connection = "failed"
            raise

    def _session_ready(self, event: ui.SessionReady) -> None:
        self.connection = "ready"
        self.offers.clear()
        self.question = None
        self._changed()
        self._background(self.refresh_credits())
        if event.resumed:
            self._background(self._where_we_left_off(event.session_id))

    async def _where_we_left_off(self, session_id: str) -> None:
        """A resumed session: its last exchanges (the conversation shows them
        when it was asked for by id), else at least its timeline."""
        asked_by_id = bool(self.conversation.settings.session)
        past = recap(self.runtime, session_id)
        if past and not asked_by_id:
            self.view.emit(ui.Notice(past))
        elif not past:
            try:
                await self.conversation.show_status()
            except NemochatError:
                pass

    async def refresh_credits(self) -> None:
        try:
            data = await self.runtime.nemo.credits()
            self._set_credits(float(data.get("available")))
        except (NemochatError, TypeError, ValueError):
            pass

    def _set_credits(self, available: float) -> None:
        self.credits = available
        self._changed()

    # -- what the user typed --------------------------------------------------------------------

    def submit(self, line: str) -> None:
        typed = line.strip("\n")
        if not typed.strip():
            return
        self.offers.clear()  # typing something else declines what was offered
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
        # "/home/me/clip.mp4" dropped into the chat is a file, not a command
        return self.registry.get(word) is not None or not is_local_file(typed.split()[0])

    def _command(self, typed: str) -> None:
        word, args = parse_command(typed)
        command = self.registry.get(word)
        if command is None:
            close = suggest(self.registry, word)
            hint = f" Did you mean /{close}?" if close else ""
            self.say(f"Unknown command /{word}.{hint} /help lists them.", "yellow")
            return
        run = self._guarded(command.resolve()(self, args))
        if self.busy():
            self._background(run)
        else:
            self._foreground(run, turn=False)

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
            self.question = PendingQuestion(turn.question)
        self.offers = offers_for(outcome.actions, self.lang)
        if turn.tools:  # a tool may have spent credits
            self._background(self.refresh_credits())
        self._changed()

    async def _guarded(self, work: Any) -> None:
        """Run a turn or a command: errors become one line, Ctrl-C a calm note."""
        try:
            await work
        except asyncio.CancelledError:
            if self._fg_turn and asyncio.current_task() is self._fg:
                self._say_stopped()
            raise
        except NemochatError as error:
            self.fail(error)
        except Exception as exc:
            self._unexpected(exc)

    def _say_stopped(self) -> None:
        what = text(self.lang, "stopped_what", label=self._stopped_label) if self._stopped_label else ""
        self.fail(Interrupted(text(self.lang, "stopped", what=what)))
        self._background(self.refresh_credits())  # the stopped turn may have spent some

    # -- tasks ------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self._fg is not None and not self._fg.done()

    def _foreground(self, work: Any, *, turn: bool) -> None:
        self._fg_turn = turn
        self._stopped_label = None
        self._fg = asyncio.create_task(work, name="turn" if turn else "command")
        self._fg.add_done_callback(lambda task: self._changed())
        self._changed()

    def _background(self, work: Any) -> None:
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

    @property
    def offer(self) -> Offer | None:
        return self.offers[0] if self.offers and not self.busy() else None

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
            self.offers.clear()
        elif self.question is not None and not had_text:
            self.question = None
            self.say("(question dismissed: just type what you want instead)", "dim")
        elif not had_text:
            self.hint(text(self.lang, "ctrl_c_idle"))
        self._changed()

    def answer_offer(self, yes: bool, *, quietly: bool = False) -> None:
        offer = self.offers.pop(0)
        if not quietly:
            self.say(offer.question + (" yes" if yes else " no"), "dim")
        if offer.kind == "quit":
            if yes:
                self.request_quit(force=True)
        elif yes and offer.kind == "export":
            self.start_export(None)
        elif yes and offer.kind == "status":
            self._foreground(self._guarded(self.conversation.show_status()), turn=False)
        self._changed()

    def hint(self, message: str) -> None:
        self._hint = (message, time.monotonic() + HINT_SECONDS)
        self._changed()

    def current_hint(self) -> str | None:
        if self._hint and time.monotonic() <= self._hint[1]:
            return self._hint[0]
        return None

    def say_text(self, key: str) -> str:
        return text(self.lang, key)

    # -- leaving ----------------------------------------------------------------------------------

    def _ask_quit(self) -> None:
        running = [job.short() for job in self.jobs.running()] + (["the agent's answer"] if self.busy() and self._fg_turn else [])
        if not running:
            self.request_quit(force=True)
            return
        what = ", ".join(running)
        self.offers = [Offer("quit", text(self.lang, "quit_confirm", what=what), default_yes=False)]
        self._changed()

    def request_quit(self, force: bool = False) -> None:
        if not force and (self.jobs.running() or (self.busy() and self._fg_turn)):
            self._ask_quit()
            return
        self._quit = True
        if self.prompt.app.is_running:
            self.prompt.app.exit(result="")

    # -- jobs ---------------------------------------------------------------------------------------

    def start_export(self, output: str | None) -> None:
        if any(job.kind == "export" for job in self.jobs.running()):
            self.say("An export is already running; /jobs shows how it is doing.", "yellow")
            return
        try:
            from nemochat.app.export import ExportOptions, export_video
        except ImportError:
            self.say("Export is not available in this version yet.", "yellow")
            return

        async def body(job: Job) -> str | None:
            await self.ensure_connected()
            result = await export_video(self.conversation, ExportOptions(output=output), confirm_cancel=None)
            return result.path or result.url

        job = self.jobs.start("export", "Export", body)
        self.say(f"Exporting in the background (job #{job.id}). Keep chatting; the toolbar shows progress and /jobs the details.", "cyan")

    async def _export_intent(self, intent: Intent) -> None:
        self.start_export(intent.output)

    def _job_event(self, job: Job, event: ui.UIEvent) -> bool:
        """Progress inside a job moves the toolbar instead of printing lines."""
        kind = type(event).__name__
        if kind == "TransferProgress":
            done, total, unit = getattr(event, "done", 0.0), getattr(event, "total", None), getattr(event, "unit", "%")
            if unit == "%":
                job.update(progress=done, detail="rendering")
            else:
                job.update(progress=(100.0 * done / total) if total else None, detail="downloading")
            self._changed()
            return True
        if kind == "ExportDone":
            return True  # the job's own notice says where the file is
        if isinstance(event, ui.Notice) and event.kind in ("working", "info"):
            job.detail = "rendering"
            return True
        return False

    def _job_finished(self, job: Job) -> None:
        took = f" ({screen_clock(job.elapsed)})"
        if job.status == "done":
            line = Text(f"✓ {job.label} finished{took}: ", style="bold green")
            if job.result and "://" in job.result:
                line += link(job.result, enabled=self.view.links)
            elif job.result:
                path = Path(job.result).expanduser().resolve()
                line += Text(str(path), style=f"bold link {path.as_uri()}" if self.view.links else "bold")
            self.show(line)
            if job.kind == "export" and job.result and "://" not in job.result:
                self.say("  /open plays it.", "dim")
        elif job.status == "cancelled":
            self.say(f"{job.label} stopped{took}.", "dim")
        else:
            self.say(f"✗ {job.label} failed: {job.error}", "red")
            if job.detail:
                self.say("  " + job.detail, "yellow")
        self._changed()

    # -- ReplContext ----------------------------------------------------------------------------------

    def say(self, message: str, style: str = "") -> None:
        self.view.say(message, style)

    def show(self, renderable: Any) -> None:
        self.view.console.print(renderable)

    def fail(self, error: NemochatError) -> None:
        self.runtime.view.error(error)

    def _unexpected(self, exc: BaseException) -> None:
        self.say(f"✗ Unexpected error: {type(exc).__name__}: {exc}", "red")
        if self.runtime.settings.debug:
            self.say(traceback.format_exc(), "dim")
        else:
            self.say("  Run with --debug for details; the chat goes on.", "dim")

    async def switch_session(self, session_id: str | None) -> None:
        conversation = self.conversation
        if session_id is None:
            conversation.settings = replace(conversation.settings, session=None)
            await conversation.nemo.ensure_token()
            await conversation.new_session()
            return
        full = resolve(self.runtime, session_id)
        if conversation.session is not None and conversation.session.session_id == full:
            self.say("That is this session already.", "dim")
            return
        try:
            await conversation.nemo.state(full)
        except SessionNotFound:
            raise UsageError(f"No session {session_id} on this backend.", action="/sessions lists the ones you used.") from None
        conversation.settings = replace(conversation.settings, session=full)
        conversation.session = None
        await conversation.connect()

    async def upload(self, paths: list[str]) -> None:
        handler = self.conversation.handlers.get("upload")
        if handler is None:
            self.say("Upload is not available in this version yet.", "yellow")
            return
        await self.ensure_connected()
        await handler(Intent("upload", "/upload", paths=tuple(paths)))  # type: ignore[misc]

    async def open_project(self) -> None:
        from nemochat.commands.media import has_display, open_last_export, system_open

        try:
            target, opened = open_last_export(self.runtime.paths, launch=True)
            self.say(("Opened " if opened else "Your last export: ") + target, "green" if opened else "")
            return
        except UsageError:
            pass
        session = await self.ensure_connected()
        url = self.view.claim_url or await self.runtime.nemo.claim_url(session)
        if not url:
            self.say("No link to open for this session.", "yellow")
            return
        opened = has_display() and system_open(url)
        self.show(Text("Opened " if opened else "Open it here: ", style="dim") + link(url, enabled=self.view.links))

    def clear_screen(self) -> None:
        output = self.prompt.app.output

        def clear() -> None:
            output.erase_screen()
            output.cursor_goto(0, 0)
            output.flush()

        self.printer.then(clear)


def screen_clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
