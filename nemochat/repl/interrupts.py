"""Ctrl-C, SIGINT and Ctrl-D: stop the answer, dismiss what waits, leave.

Ctrl-C stops the running turn, else declines the offers, else dismisses the
agent's question; SIGINT between two prompts does the same instead of
killing the REPL. Leaving (Ctrl-D, /quit) while an answer or a job still
runs is asked first, as an offer (yes + Enter to leave).
"""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Any

from nemochat.repl.choices import Offer, PendingQuestion
from nemochat.repl.texts import text

if TYPE_CHECKING:
    from nemochat.repl.jobs import JobManager
    from nemochat.repl.offers import OfferDesk


class Interrupts:
    """Mixed into the loop (``loop.Repl``): ``_quit`` lives on it."""

    prompt: Any
    jobs: JobManager
    lang: str
    desk: OfferDesk
    question: PendingQuestion | None
    _fg_turn: bool
    _quit: bool
    link: Any

    def _catch_sigint(self):
        """SIGINT when no prompt is up (a split second between two prompts)
        acts like the Ctrl-C key instead of killing the REPL."""
        loop = asyncio.get_running_loop()
        try:
            previous = signal.signal(signal.SIGINT, lambda signum, frame: loop.call_soon_threadsafe(self.on_ctrl_c, False))
        except ValueError:  # not the main thread (tests)
            return lambda: None
        return lambda: signal.signal(signal.SIGINT, previous)

    def on_ctrl_c(self, had_text: bool) -> None:
        if self.busy():
            self.interrupt()
        elif self.desk.offers:
            self.drop_offers()
        elif self.question is not None and not had_text:
            self.question = None
            self.say(text(self.lang, "question_dismissed"), "dim")
        elif not had_text and self.link.cancel():  # the launch's connection, maybe retrying an unreachable server
            self.say(text(self.lang, "stopped_connecting"), "dim")
        elif not had_text:
            self.hint(text(self.lang, "ctrl_c_idle"))
        self.changed()

    # -- leaving ----------------------------------------------------------------------------------

    def _still_running(self) -> list[str]:
        answer = [text(self.lang, "agent_answer")] if self.busy() and self._fg_turn else []
        return answer + [job.describe(self.lang) for job in self.jobs.running()]

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
        what = what[:1].upper() + what[1:] if self.lang == "en" else what
        self.drop_offers()
        self.desk.add(Offer("quit", text(self.lang, "quit_confirm", what=what), default_yes=False))
        self.changed()

    def request_quit(self, force: bool = False) -> None:
        if not force and (self.jobs.running() or (self.busy() and self._fg_turn)):
            self._ask_quit()
            return
        self._quit = True
        if self.prompt.app.is_running:
            self.prompt.app.exit(result="")
