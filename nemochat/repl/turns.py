"""What the user typed, run as a task: the turn or command the prompt waits on.

A line is a slash command, the answer to the agent's lettered question, or a
message for the agent. It runs as the foreground task, which Ctrl-C cancels
(``interrupt``): the stream closes at once and the message is never resent.
While it runs, Enter sends nothing but the commands that are safe meanwhile
(``may_submit``); those run beside it, and what they print waits for the
answer to end (``_held``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from nemochat.core.router import Intent, route_intent
from nemochat.core.texts import say
from nemochat.errors import CreditsError, Interrupted, NemochatError
from nemochat.repl.choices import PendingQuestion, PickError, offers_for
from nemochat.repl.commands import ReplContext, parse_command, suggest
from nemochat.repl.printer import held_output
from nemochat.repl.texts import LONG_PROMPT_CHARS, text

if TYPE_CHECKING:
    from nemochat.app.conversation import Conversation
    from nemochat.app.runtime import Runtime
    from nemochat.repl.connection import Connection
    from nemochat.repl.offers import OfferDesk
    from nemochat.repl.printer import Printer


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


class TurnHost(ReplContext, Protocol):
    """What the turns use of the loop (``loop.Repl``): a command handler gets it as its context."""

    attached_runtime: Runtime | None  # (None until it is there)
    printer: Printer
    link: Connection
    desk: OfferDesk

    @property
    def conversation(self) -> Conversation: ...
    def hint(self, message: str) -> None: ...
    def changed(self) -> None: ...
    def unexpected(self, exc: BaseException) -> None: ...
    async def until_ready(self) -> None: ...


class Turns:
    """The foreground task (a turn or a command), the side tasks and the agent's
    pending question, for the loop that owns it (``loop.Repl``)."""

    def __init__(self, host: TurnHost) -> None:
        self.host = host
        self.question: PendingQuestion | None = None
        self.fg: asyncio.Task[None] | None = None  # the turn or command the prompt waits on
        self.fg_turn = False  # ... and it is a turn
        self._stopped_label: str | None = None
        self._out_before = 0
        self.side: set[asyncio.Task[Any]] = set()

    # -- what the user typed --------------------------------------------------------------------

    def submit(self, line: str) -> None:
        typed = line.strip("\n")
        if not typed.strip():
            return
        self.host.desk.drop_offers()  # typing something else declines what was offered
        if self._is_command(typed):
            self._command(typed.strip())
        elif self.question is not None:
            self._answer(typed)
        else:
            self.foreground(self._say_to_agent(typed.strip()), turn=True)

    def _is_command(self, typed: str) -> bool:
        if not typed.startswith("/") or typed.startswith("//"):
            return False
        word = typed[1:].split(maxsplit=1)[0] if typed[1:].strip() else ""
        if self.host.registry.get(word) is not None:
            return True
        # "/home/me/clip.mp4" (or "/tmp/a/same\\ \\(2\\).mp4") dropped into the chat is a file, not a command
        return not is_local_file(_first_path(typed))

    def _command(self, typed: str) -> None:
        word, args = parse_command(typed)
        word = word or "help"  # a lone "/"
        command = self.host.registry.get(word)
        if command is None:
            close = suggest(self.host.registry, word)
            hint = say(self.host.lang, "command.did_you_mean", close=close) if close else ""
            self.host.say(say(self.host.lang, "command.unknown", word=word, hint=hint), "yellow")
            self.host.printer.separate()
            return
        run = self.guarded(command.resolve()(self.host, args))
        if self.busy():
            self.background(self._held(run, f"/{command.name}"))
        else:
            self.foreground(run, turn=False)

    async def _held(self, run: Any, label: str) -> None:
        """A command typed while the agent answers: it runs now, but what it
        prints waits for the answer to end, then comes as a block of its own
        (never between a tool line and the reply it belongs to)."""
        held: list[str] = []
        held_output.set(held)  # this task's context only
        turn = self.fg
        try:
            await run
        finally:
            held_output.set(None)
            if held and turn is not None and not turn.done():
                self.host.hint(text(self.host.lang, "held", command=label))
                await asyncio.wait([turn])
            if held:
                self.host.printer.separate()
                for chunk in held:
                    self.host.printer.write(chunk)
                self.host.printer.separate()
                self.host.changed()

    def _answer(self, typed: str) -> None:
        question = self.question
        assert question is not None
        try:
            words = question.answer(typed)
        except PickError as error:
            self.host.say(error.said(question.lang), "yellow")
            return
        self.host.say("→ " + words, "dim")
        if question.done:
            self.question = None
            message = question.message()
            self.foreground(self.guarded(self._turn(Intent("message", message))), turn=True)

    async def _say_to_agent(self, typed: str) -> None:
        intent = route_intent(typed, is_file=is_local_file)  # the one routing of the line: the conversation gets the intent
        if intent.kind == "message":
            await self.guarded(self._turn(intent))
        else:
            await self.guarded(self._routed(intent))

    async def _routed(self, intent: Intent) -> None:
        await self.host.ensure_connected()
        await self.host.conversation.handle_intent(intent)

    async def _turn(self, intent: Intent) -> None:
        if len(intent.text) > LONG_PROMPT_CHARS:
            self.host.say(text(self.host.lang, "long_prompt"), "yellow")
        self.host.view.begin_turn()
        try:
            await self.host.ensure_connected()
            outcome = await self.host.conversation.handle_intent(intent)
        finally:
            self.host.view.end_turn()
        turn = outcome.turn
        if turn is None:
            return
        if turn.question is not None and turn.question.items:
            self.question = PendingQuestion(turn.question, lang=self.host.lang)
        self.host.desk.extend(offers_for(outcome.actions, self.host.lang))
        if turn.tools:  # a tool may have spent credits
            self.background(self.host.link.refresh_credits())
        self.host.changed()

    async def guarded(self, work: Any) -> None:
        """Run a turn or a command: errors become one line, Ctrl-C a calm note."""
        try:
            try:
                await self.host.until_ready()
            except BaseException:
                if asyncio.iscoroutine(work):
                    work.close()  # never started: no "never awaited" warning
                raise
            await work
        except asyncio.CancelledError:
            if asyncio.current_task() is self.fg:
                self._say_stopped() if self.fg_turn else self.host.fail(Interrupted(text(self.host.lang, "stopped_command")))
            raise
        except NemochatError as error:
            self.host.fail(error)
            if isinstance(error, CreditsError):  # the toolbar's balance was out of date
                self.background(self.host.link.refresh_credits())
        except Exception as exc:
            self.host.unexpected(exc)

    def _messages_out(self) -> int:
        """How many messages may have reached the agent so far (``NemoClient.messages_out``)."""
        nemo = getattr(self.host.attached_runtime, "nemo", None)
        return getattr(nemo, "messages_out", 0)

    def _say_stopped(self) -> None:
        if self._messages_out() == self._out_before:  # still connecting, or retrying an unreachable server
            self.host.fail(Interrupted(text(self.host.lang, "stopped_unsent")))
            return
        what = text(self.host.lang, "stopped_what", label=self._stopped_label) if self._stopped_label else ""
        self.host.fail(Interrupted(text(self.host.lang, "stopped", what=what)))
        self.background(self.host.link.refresh_credits())  # the stopped turn may have spent some

    # -- tasks ------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.fg is not None and not self.fg.done()

    def answering(self) -> bool:
        """The foreground task is a turn: the agent answers."""
        return self.busy() and self.fg_turn

    def foreground(self, work: Any, *, turn: bool) -> None:
        self.fg_turn = turn
        self._stopped_label = None
        self._out_before = self._messages_out()
        self.fg = asyncio.create_task(work, name="turn" if turn else "command")
        self.fg.add_done_callback(self._foreground_done)
        self.host.changed()

    def _foreground_done(self, task: asyncio.Task[None]) -> None:
        self.host.printer.separate()  # one blank line before the next exchange
        self.host.changed()

    def background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.side.add(task)
        task.add_done_callback(self.side.discard)

    def interrupt(self) -> None:
        if not self.busy():
            return
        assert self.fg is not None
        self._stopped_label = self.host.view.tool.label if self.host.view.tool else None
        self.fg.cancel()
        self.host.link.cancel()  # a connection still being tried for it stops (and stops saying so)
        self.host.view.stop_now()

    # -- Enter while busy (see keys.KeyState) ---------------------------------------------------

    def may_submit(self, typed: str) -> bool:
        if not self.busy():
            return True
        if not self._is_command(typed.strip()):
            return False
        command = self.host.registry.get(parse_command(typed.strip())[0])
        return command is not None and command.while_busy

    def on_refused_submit(self) -> None:
        self.host.hint(text(self.host.lang, "busy"))
