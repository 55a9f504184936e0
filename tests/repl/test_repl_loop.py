"""The loop in-process: a scripted conversation, keys through a pipe input.

What the e2e tests show on a real terminal, checked here at the level of
tasks: Ctrl-C cancels the turn's task, a question's letters become the next
message, an offer runs on one key, a cost confirmation is asked even while
the agent answers, Ctrl-D leaves with 0.

Nothing here sleeps: a test waits for the loop to say that something
changed (``changed()``, printed text) and then looks again.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import threading
from types import SimpleNamespace

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shared_helpers import WAIT

from nemochat.app.conversation import TurnOutcome
from nemochat.core import ui_events as ui
from nemochat.core.events import Question, QuestionItem, QuestionOption
from nemochat.core.gui import GuiAction
from nemochat.core.router import Intent
from nemochat.core.turn import TurnState
from nemochat.repl.loop import Repl
from nemochat.settings import Paths, Settings

STYLE = Question("Pick", (QuestionItem("s", "Which style?", (QuestionOption("a", "Cinematic"), QuestionOption("b", "Anime"))),))


class Signal:
    """Wakes a waiting test each time something it may wait for happened (the
    REPL's prompt area changed, text was printed); any thread may poke it."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def poke(self) -> None:
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is self._loop:
            self._event.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)

    async def until(self, condition, timeout: float = WAIT) -> None:
        """Return once ``condition()`` holds: checked now and after each poke
        (the timeout only turns a hang into a failure)."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._event.clear()
                    if condition():
                        return
                    await self._event.wait()
        except TimeoutError:
            try:
                what = inspect.getsource(condition).strip()
            except OSError:
                what = repr(condition)
            raise AssertionError(f"still waiting after {timeout} s for: {what}") from None


class WatchedRepl(Repl):
    """The real loop, telling the test whenever its prompt area changes
    (``changed()``: an offer, a question, a turn that ended, the credits) and
    whenever something waits for the runtime."""

    def __init__(self, *args, signal: Signal, **kwargs) -> None:
        self.signal = signal
        self.waiting_for_runtime: list[str] = []  # the names of the tasks that did
        super().__init__(*args, **kwargs)

    def changed(self) -> None:
        super().changed()
        self.signal.poke()

    async def until_ready(self) -> None:
        self.waiting_for_runtime.append(asyncio.current_task().get_name())
        self.signal.poke()
        await super().until_ready()


class Printed(io.StringIO):
    """What the REPL printed; each write pokes the signal."""

    def __init__(self, signal: Signal) -> None:
        super().__init__()
        self.signal = signal

    def write(self, text: str) -> int:
        written = super().write(text)
        self.signal.poke()
        return written


SETTINGS = Settings(demo=True, api_base="http://127.0.0.1:9")


class FakeConversation:
    def __init__(self, emit, hooks) -> None:
        self.emit = emit
        self.settings = SETTINGS
        self.session = None
        self.handlers: dict = {"export": hooks.on_export}
        self.sent: list[str] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = False
        self.question: Question | None = None
        self.actions: list[GuiAction] = []
        self.slow = False
        self.fallback = SimpleNamespace(confirm=hooks.confirm)  # the REPL's, as open_runtime(hooks=...) gives it

    async def connect(self):
        self.session = SimpleNamespace(session_id="fake-session-0001", task_id=None, user_id=None)
        self.emit(ui.SessionReady(self.session.session_id))
        return self.session

    async def handle_intent(self, intent: Intent) -> TurnOutcome:
        return await self.send_message(intent)

    async def send_message(self, intent: Intent) -> TurnOutcome:
        self.sent.append(intent.text)
        self.nemo.messages_out += 1
        self.emit(ui.UserSaid(intent.text, "fake-session-0001"))
        self.started.set()
        try:
            if self.slow:
                await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.emit(ui.Message(0, "Sure."))
        turn = TurnState(started_at=0.0)
        turn.messages.append("Sure.")
        turn.question = self.question
        return TurnOutcome(intent, turn=turn, actions=list(self.actions))

    async def show_status(self):
        self.emit(ui.Notice("timeline shown"))


async def credits():
    return {"available": 42}


class Harness:
    """The real loop with a scripted conversation; ``late=True``: the runtime
    is not there yet (``runtime()`` hands it over once ``arrive`` is set)."""

    def __init__(self, pipe, *, late: bool = False) -> None:
        self.signal = Signal()
        self.out = Printed(self.signal)
        self.repl = WatchedRepl(settings=SETTINGS, out=self.out, color=False, input=pipe, output=DummyOutput(), signal=self.signal)
        self.view = self.repl.view
        self.conv = FakeConversation(self.view.emit, self.repl.conversation_hooks())
        self.conv.nemo = SimpleNamespace(credits=credits, messages_out=0)  # a message counts as out once sent
        self.rt = SimpleNamespace(conversation=self.conv, settings=self.conv.settings, view=self.view, nemo=self.conv.nemo, paths=Paths.default())
        self.arrive = asyncio.Event()
        if not late:
            self.repl.attach(self.rt)
        self.pipe = pipe

    async def runtime(self):
        await self.arrive.wait()
        return self.rt

    async def until(self, condition) -> None:
        await self.signal.until(condition)

    def keys(self, text: str) -> None:
        self.pipe.send_text(text)

    async def slow_turn(self, text: str) -> None:
        """Send a message the agent takes its time over (until ``conv.release``
        is set); return once it is being answered."""
        self.conv.slow = True
        self.keys(text + "\r")
        await asyncio.wait_for(self.conv.started.wait(), WAIT)


def run(scenario) -> tuple[int, str, Harness]:
    async def main():
        with create_pipe_input() as pipe:
            h = Harness(pipe)
            task = asyncio.create_task(h.repl.run())
            await h.until(lambda: h.conv.session is not None)
            await scenario(h)
            code = await asyncio.wait_for(task, WAIT)
            return code, h.out.getvalue(), h

    return asyncio.run(main())


def test_ctrl_c_cancels_the_turn_and_the_repl_goes_on():
    async def scenario(h: Harness) -> None:
        await h.slow_turn("make a video")
        h.keys("\x03")
        await h.until(lambda: h.conv.cancelled and not h.repl.busy())
        h.conv.slow = False
        h.keys("hello again\r")
        await h.until(lambda: len(h.conv.sent) == 2 and not h.repl.busy())
        h.keys("\x04")

    code, out, h = run(scenario)
    assert code == 0
    assert "Stopped. Your message was not sent again" in out and "/status" in out


def test_enter_while_busy_sends_nothing_but_safe_commands_run():
    async def scenario(h: Harness) -> None:
        await h.slow_turn("first")
        h.keys("second\r")
        await h.until(lambda: h.repl.current_hint() is not None)
        h.keys("\x15/help quit\r")  # Ctrl-U clears "second"; /help runs meanwhile
        await h.until(lambda: (h.repl.current_hint() or "").startswith("/help"))  # ... its output waits for the answer
        assert "leave (Ctrl-D" not in h.out.getvalue()
        h.conv.release.set()
        await h.until(lambda: "leave (Ctrl-D" in h.out.getvalue())
        await h.until(lambda: not h.repl.busy())
        h.keys("\x04")

    code, out, h = run(scenario)
    assert code == 0 and h.conv.sent == ["first"]  # "second" was never sent
    # the command's output comes after the answer, set apart: never inside it
    assert out.index("Sure.") < out.index("/quit") < out.index("leave (Ctrl-D")
    assert "\n\n/quit" in out


def test_question_letters_are_sent_as_the_next_message():
    async def scenario(h: Harness) -> None:
        h.conv.question = STYLE
        h.keys("which style?\r")
        await h.until(lambda: h.repl.question is not None and not h.repl.busy())
        h.conv.question = None
        h.keys("b\r")
        await h.until(lambda: len(h.conv.sent) == 2 and not h.repl.busy())
        h.keys("\x04")

    code, out, h = run(scenario)
    assert h.conv.sent == ["which style?", "Anime"]
    assert "→ Anime" in out


def test_an_export_offer_runs_on_y_and_enter():
    exported = []

    async def scenario(h: Harness) -> None:
        h.repl.start_export = exported.append  # type: ignore[method-assign]
        h.conv.actions = [GuiAction("export", "/export", "click Export")]
        h.keys("make it\r")
        await h.until(lambda: h.repl.offer is not None)
        h.keys("y\r")
        await h.until(lambda: exported == [None])
        h.keys("\x04")

    code, out, h = run(scenario)
    assert "Export the video now? yes" in out


def test_a_cost_question_is_asked_even_while_the_agent_answers():
    answers = []

    async def scenario(h: Harness) -> None:
        await h.slow_turn("make a video")
        ask = asyncio.create_task(h.repl.confirm("Sora 2 costs 4 credits. Submit? [y/N]"))
        await h.until(lambda: h.repl.offer is not None)
        h.keys("y\r")
        answers.append(await asyncio.wait_for(ask, WAIT))
        no = asyncio.create_task(h.repl.confirm("Again? [y/N]"))
        await h.until(lambda: h.repl.offer is not None)
        h.keys("\r")  # the default is no
        answers.append(await asyncio.wait_for(no, WAIT))
        h.conv.release.set()
        await h.until(lambda: not h.repl.busy())
        h.keys("\x04")

    run(scenario)
    assert answers == [True, False]


def test_ctrl_d_during_a_turn_asks_first():
    async def scenario(h: Harness) -> None:
        await h.slow_turn("make a video")
        h.keys("\x04")
        await h.until(lambda: h.repl.offer is not None and h.repl.offer.kind == "quit")
        h.keys("y\r")

    code, out, h = run(scenario)
    assert code == 0 and "Quit anyway? yes" in out and h.conv.cancelled


def test_the_fallback_asks_its_cost_question_at_the_prompt():
    """NemoVideo out of credits mid-turn: the fallback's question is answered
    at the REPL's prompt (yes + Enter), never by a blocking input()."""
    answers = []

    async def scenario(h: Harness) -> None:
        await h.slow_turn("make a video")
        question = "NemoVideo can't generate now (no credits). Generate with Sora 2 via NanoPhoto for 4 credits instead? [y/N]"
        ask = asyncio.create_task(h.conv.fallback.confirm(question))
        await h.until(lambda: h.repl.offer is not None)
        h.keys("y\r")
        answers.append(await asyncio.wait_for(ask, WAIT))
        h.conv.release.set()
        await h.until(lambda: not h.repl.busy())
        h.keys("\x04")

    code, out, _ = run(scenario)
    assert answers == [True]
    assert "for 4 credits instead? yes" in out


def test_an_offer_added_from_a_task_redraws_the_prompt_at_once():
    """No waiting for the next frame or a key: confirm() (and changed() from
    any task or thread) asks prompt_toolkit for a redraw right away."""
    async def scenario(h: Harness) -> None:
        calls: list[int] = []  # the thread each redraw was asked on
        app = h.repl.prompt.app
        real = app.invalidate
        app.invalidate = lambda: (calls.append(threading.get_ident()), h.signal.poke(), real())  # type: ignore[method-assign]
        await h.slow_turn("make a video")
        calls.clear()
        ask = asyncio.create_task(h.repl.confirm("NemoVideo can't generate now (no credits). Generate with Sora 2 instead? [y/N]"))
        # Exactly one step of the loop (the thing under test, not a wait): the
        # task ran up to its await, and the redraw was asked for meanwhile.
        await asyncio.sleep(0)
        assert calls, "the offer was added without a redraw"
        calls.clear()
        await asyncio.to_thread(h.repl.changed)  # from another thread: handed to the loop
        await h.until(lambda: bool(calls))
        assert set(calls) == {threading.get_ident()}  # asked for on the loop's thread
        h.keys("n\r")
        assert await asyncio.wait_for(ask, WAIT) is False
        h.conv.release.set()
        await h.until(lambda: not h.repl.busy())
        h.keys("\x04")

    code, out, _ = run(scenario)
    assert code == 0 and "instead? no" in out


def test_a_no_credits_error_refreshes_the_toolbar_credits():
    from nemochat.errors import CreditsError

    async def scenario(h: Harness) -> None:
        await h.until(lambda: h.repl.link.credits == 42)
        h.repl.link.credits = 100  # what the toolbar said before the credits ran out

        async def broke(intent):
            raise CreditsError("Not enough credits for this.", code="2001")

        h.conv.send_message = broke
        h.keys("make a video\r")
        await h.until(lambda: h.repl.link.credits == 42 and not h.repl.busy())
        h.keys("\x04")

    code, out, _ = run(scenario)
    assert "Not enough credits" in out


def test_a_dragged_path_with_backslash_escapes_is_not_a_command(tmp_path):
    clip = tmp_path / "a" / "same (2).mp4"
    clip.parent.mkdir()
    clip.write_bytes(b"\0")
    typed = str(clip.parent) + "/same\\ \\(2\\).mp4"
    handled = []

    async def scenario(h: Harness) -> None:
        async def handle_intent(intent):
            handled.append(intent)

        h.conv.handle_intent = handle_intent
        h.keys(typed + "\r")
        await h.until(lambda: bool(handled) and not h.repl.busy())
        h.keys("\x04")

    code, out, _ = run(scenario)
    assert "Unknown command" not in out and [(i.kind, i.text, i.paths) for i in handled] == [("upload", typed, (str(clip),))]


def test_the_runtime_may_arrive_after_the_prompt():
    """`nemochat` draws the prompt first and builds the runtime after:
    a line typed meanwhile waits for it, then goes out once."""

    async def main():
        with create_pipe_input() as pipe:
            h = Harness(pipe, late=True)
            task = asyncio.create_task(h.repl.run(runtime=h.runtime()))
            h.keys("hello\r")
            await h.until(lambda: "turn" in h.repl.waiting_for_runtime)  # the line became a turn, which waits
            assert h.conv.sent == [] and h.repl.attached_runtime is None  # typed, waiting for the runtime
            h.arrive.set()
            await h.until(lambda: h.conv.sent == ["hello"] and not h.repl.busy())
            assert h.conv.fallback.confirm is not None  # attached: the REPL's one-key confirm
            h.keys("\x04")
            return await asyncio.wait_for(task, WAIT)

    assert asyncio.run(main()) == 0


def test_an_offers_answer_is_echoed_in_the_chosen_language():
    async def scenario(h: Harness) -> None:
        h.repl.lang = "zh"
        h.repl.start_export = lambda *_: None  # type: ignore[method-assign]
        h.conv.actions = [GuiAction("export", "/export", "click Export")]
        h.keys("make it\r")
        await h.until(lambda: h.repl.offer is not None)
        h.keys("\r")
        await h.until(lambda: h.repl.offer is None)
        h.keys("\x04")

    code, out, h = run(scenario)
    assert "现在导出视频吗? 是" in out and "? yes" not in out


def test_a_jobs_stage_comes_from_its_progress_event_not_its_wording():
    """A background job's "still processing" notice moves the toolbar to the stage
    it carries (a typed field), whatever the sentence says; none: "working"."""
    seen = []

    async def scenario(h: Harness) -> None:
        go_on = asyncio.Event()

        async def body(job):
            h.view.emit(ui.Notice("Sora 2: still processing (generating).", kind="working", stage="generating"))
            seen.append(job.detail)
            h.view.emit(ui.Notice("Rendering (render r1).", kind="working"))
            seen.append(job.detail)
            await go_on.wait()
            return None

        job = h.repl.start_job("video", "Sora 2", body)
        await h.until(lambda: len(seen) == 2)
        go_on.set()
        await asyncio.wait_for(job.task, WAIT)
        h.keys("\x04")

    code, out, h = run(scenario)
    assert seen == ["generating", "working"]
    assert "still processing" not in out  # the toolbar says it, not a line
