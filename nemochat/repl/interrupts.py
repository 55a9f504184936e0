"""Ctrl-C, SIGINT and Ctrl-D: stop the answer, dismiss what waits, leave.

Ctrl-C stops the running turn, else declines the offers, else dismisses the
agent's question; SIGINT between two prompts does the same instead of
killing the REPL. Leaving (Ctrl-D, /quit) while an answer or a job still
runs is asked first, as an offer (yes + Enter to leave).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from nemochat.repl.choices import Offer, PendingQuestion
from nemochat.repl.texts import text

if TYPE_CHECKING:
    from nemochat.repl.jobs import JobManager
    from nemochat.repl.offers import OfferDesk


class LoopState(Protocol):
    """What Ctrl-C and leaving look at and act on (the loop, ``loop.Repl``)."""

    question: PendingQuestion | None
    lang: str

    def busy(self) -> bool: ...  # a turn or a command runs in the foreground
    def answering(self) -> bool: ...  # ... and it is a turn (the agent answers)
    def interrupt(self) -> None: ...  # stop the foreground task
    def cancel_connecting(self) -> bool: ...  # stop a connection being tried; True if there was one
    def say(self, message: str, style: str = "") -> None: ...
    def hint(self, message: str) -> None: ...
    def changed(self) -> None: ...
    def stop_prompt(self) -> None: ...  # the prompt returns (the loop then sees ``quitting``)


class Interrupts:
    """Ctrl-C, Ctrl-D and leaving, for the loop that owns it; ``quitting`` once it is to end."""

    def __init__(self, loop: LoopState, *, desk: OfferDesk, jobs: JobManager) -> None:
        self.loop, self.desk, self.jobs = loop, desk, jobs
        self.quitting = False

    def _catch_sigint(self) -> Callable[[], object]:
        """SIGINT when no prompt is up (a split second between two prompts)
        acts like the Ctrl-C key instead of killing the REPL."""
        loop = asyncio.get_running_loop()
        try:
            previous = signal.signal(signal.SIGINT, lambda signum, frame: loop.call_soon_threadsafe(self.on_ctrl_c, False))
        except ValueError:  # not the main thread (tests)
            return lambda: None
        return lambda: signal.signal(signal.SIGINT, previous)

    def on_ctrl_c(self, had_text: bool) -> None:
        repl = self.loop
        if repl.busy():
            repl.interrupt()
        elif self.desk.offers:
            self.desk.drop_offers()
        elif repl.question is not None and not had_text:
            repl.question = None
            repl.say(text(self.loop.lang, "question_dismissed"), "dim")
        elif not had_text and repl.cancel_connecting():  # the launch's connection, maybe retrying an unreachable server
            repl.say(text(self.loop.lang, "stopped_connecting"), "dim")
        elif not had_text:
            repl.hint(text(self.loop.lang, "ctrl_c_idle"))
        repl.changed()

    # -- leaving ----------------------------------------------------------------------------------

    def _still_running(self) -> list[str]:
        answer = [text(self.loop.lang, "agent_answer")] if self.loop.answering() else []
        return answer + [job.describe(self.loop.lang) for job in self.jobs.running()]

    def on_ctrl_d(self) -> bool:
        """Ctrl-D on an empty line: True to leave now, else ask first."""
        if not self._still_running():
            return True
        self.ask_quit()
        return False

    def ask_quit(self) -> None:
        running = self._still_running()
        if not running:
            self.request_quit(force=True)
            return
        what = ", ".join(running)
        what = what[:1].upper() + what[1:] if self.loop.lang == "en" else what
        self.desk.drop_offers()
        self.desk.add(Offer("quit", text(self.loop.lang, "quit_confirm", what=what), default_yes=False))
        self.loop.changed()

    def request_quit(self, force: bool = False) -> None:
        if not force and (self.jobs.running() or self.loop.answering()):
            self.ask_quit()
            return
        self.quitting = True
        self.loop.stop_prompt()
