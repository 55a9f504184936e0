"""The recorder turns UI events into ledger rows as they happen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from shared_helpers import WAIT, RecordingView

from nemochat.app.replay import replay_bytes
from nemochat.core import ui_events as ui
from nemochat.core.gui import translate_gui
from nemochat.core.events import Question, QuestionItem, QuestionOption
from nemochat.errors import CreditsError
from nemochat.store import Ledger, LedgerRecorder, TeeView

API = "http://sim.example"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sse"


@pytest.fixture
def recorder(ledger):
    return LedgerRecorder(ledger, API, "en")


def feed(recorder, *events):
    for event in events:
        recorder.emit(event)


def only_turn(ledger, session="s1"):
    (turn,) = ledger.turns(session)
    return turn


def test_a_normal_turn(recorder, ledger):
    feed(
        recorder,
        ui.SessionReady("s1", "task-1", "anon-1"),
        ui.UserSaid("make a 10s rainy Tokyo clip", "s1"),
        ui.ToolActivity("generate_video", "Generating video", "call"),
        ui.ToolActivity("generate_video", "Generating video", "result"),
        ui.MessageDelta(0, "Here's "),
        ui.MessageDelta(0, "your clip. Click Export"),
        ui.Message(0, "Here's your clip. Click Export"),
        ui.Thought("remind them to export"),
        ui.TurnFinished(silent=False),
    )
    session = ledger.find_session("s1")
    assert (session.api_base, session.task_id, session.user_id, session.language) == (API, "task-1", "anon-1", "en")
    turn = only_turn(ledger)
    assert turn.user_text == "make a 10s rainy Tokyo clip"
    assert turn.tools == ("generate_video",)  # calls only, not results
    assert turn.messages == ("Here's your clip. Export it (/export)",)  # as the user saw it (the REPL's words)
    assert [i.kind for i in turn.items] == ["tool", "text", "thought"]
    assert turn.finished and turn.silent is False and turn.error is None


def test_a_silent_turn_keeps_what_changed(recorder, ledger):
    feed(
        recorder,
        ui.SessionReady("s1"),
        ui.UserSaid('add the title "Urban Dreams"', "s1"),
        ui.ToolActivity("edit_multitrack", "Editing timeline", "call"),
        ui.TurnFinished(silent=True),
        ui.ChangesShown(("3. Title: Urban Dreams (0-3s)",)),  # the diff comes after the turn ends
    )
    turn = only_turn(ledger)
    assert turn.silent is True and turn.messages == ()
    assert turn.changes == ("3. Title: Urban Dreams (0-3s)",)


def test_an_agent_error_is_kept(recorder, ledger):
    feed(
        recorder,
        ui.SessionReady("s1"),
        ui.UserSaid("add subtitles", "s1"),
        ui.Message(0, "Adding subtitles."),
        ui.ErrorShown("MALFORMED_FUNCTION_CALL", "Malformed function call", "try again"),
        ui.TurnFinished(silent=False),
    )
    turn = only_turn(ledger)
    assert (turn.error_code, turn.error) == ("MALFORMED_FUNCTION_CALL", "Malformed function call")
    assert turn.messages == ("Adding subtitles.",)


def test_an_error_raised_outside_the_turn_ends_it(recorder, ledger):
    feed(recorder, ui.SessionReady("s1"), ui.UserSaid("make a clip", "s1"))
    recorder.error(CreditsError("Not enough credits for this.", code=2001))
    turn = only_turn(ledger)
    assert (turn.error_code, turn.error) == ("2001", "Not enough credits for this.")
    assert turn.finished and turn.silent is None
    recorder.error(CreditsError("again"))  # no turn open: nothing to record
    assert only_turn(ledger).error == "Not enough credits for this."


def test_every_piece_is_on_disk_before_the_turn_ends(recorder, ledger):
    feed(recorder, ui.SessionReady("s1"), ui.UserSaid("tell me a story", "s1"), ui.MessageDelta(0, "Once upon"), ui.MessageDelta(0, " a time"))
    with Ledger(ledger.path) as other:  # what a crash right now would leave
        turn = only_turn(other)
    assert turn.user_text == "tell me a story" and not turn.finished
    assert [(i.body, i.complete) for i in turn.items] == [("Once upon a time", False)]


def test_noise_that_was_streamed_is_dropped(recorder, ledger):
    feed(
        recorder,
        ui.SessionReady("s1"),
        ui.UserSaid("hi", "s1"),
        ui.Message(0, "Hello!"),
        ui.MessageDelta(1, "I encountered a temporary issue"),
        ui.MessageDropped(1),
        ui.TurnFinished(silent=False),
    )
    assert only_turn(ledger).messages == ("Hello!",)


def test_a_question_is_kept_readably(recorder, ledger):
    question = Question("Pick a style", (QuestionItem("style", "Which style?", (QuestionOption("a", "Cinematic"), QuestionOption("b", "Anime")), False),))
    feed(recorder, ui.SessionReady("s1"), ui.UserSaid("choose a style", "s1"), ui.QuestionAsked(question), ui.TurnFinished(silent=False))
    (item,) = only_turn(ledger).items
    assert (item.kind, item.body) == ("question", "Pick a style\nWhich style?\n  A) Cinematic\n  B) Anime")


def test_credits_before_and_after(recorder, ledger):
    feed(
        recorder,
        ui.SessionReady("s1"),
        ui.CreditsShown(100, 0, 100),
        ui.UserSaid("make a clip", "s1"),
        ui.TurnFinished(silent=False),
        ui.CreditsShown(90, 0, 90),
    )
    turn = only_turn(ledger)
    assert (turn.credits_before, turn.credits_after) == (100, 90)


def test_a_turn_left_open_is_closed_by_the_next(recorder, ledger):
    feed(recorder, ui.SessionReady("s1"), ui.UserSaid("first", "s1"), ui.ChangesShown(("1. Video: x",)), ui.UserSaid("second", "s1"))
    first, second = ledger.turns("s1")
    assert first.finished and first.silent is None and first.changes == ("1. Video: x",)
    assert second.user_text == "second" and not second.finished


def test_a_session_seen_only_in_user_said_is_recorded(recorder, ledger):
    feed(recorder, ui.UserSaid("hi", "new-session"))
    assert ledger.find_session("new-session").api_base == API


def test_a_broken_ledger_warns_once_and_never_stops_the_turn(ledger):
    warnings = []
    recorder = LedgerRecorder(ledger, API, on_failure=warnings.append)
    feed(recorder, ui.SessionReady("s1"))
    ledger.close()
    feed(recorder, ui.UserSaid("hi", "s1"), ui.Message(0, "Hello"), ui.TurnFinished(silent=False))
    assert len(warnings) == 1 and "no longer being saved" in warnings[0]


def test_the_tee_view_hands_everything_to_listeners_first(recorder, ledger):
    order = []

    class View(RecordingView):
        console = "the view's own attribute"

        def emit(self, event):
            order.append("view")
            super().emit(event)

    class Listener:
        def emit(self, event):
            order.append("listener")

        def error(self, error):
            order.append("listener error")

    view = View()
    tee = TeeView(view, Listener())
    tee.emit(ui.Notice("hi"))
    tee.error(CreditsError("no"))
    assert order == ["listener", "view", "listener error"]
    assert view.errors and tee.console == "the view's own attribute"


@pytest.mark.parametrize("name", ["adk_tool_loop", "adk_silent_edit", "adk_error_code", "stream_cut_mid_line"])
def test_a_recorded_stream_lands_in_the_ledger_as_shown(recorder, ledger, name):
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    view = RecordingView()
    tee = TeeView(view, recorder)
    tee.emit(ui.SessionReady("s1"))
    tee.emit(ui.UserSaid("the user's words", "s1"))
    asyncio.run(replay_bytes((FIXTURES / f"{name}.sse").read_bytes(), tee.emit))
    turn = only_turn(ledger)
    assert turn.messages == tuple(translate_gui(m.raw).text for m in view.of(ui.Message))  # in the REPL's words
    assert list(turn.tools) == expected["tools"]
    assert turn.silent is expected["silent"]
    assert bool(turn.error) == bool(expected["errors"])
    assert any(not i.complete for i in turn.items if i.kind == "text") is expected["incomplete"]


def test_streamed_text_is_written_together_soon_after(ledger, monkeypatch):
    """In an event loop, pieces and messages wait a moment (one transaction
    for many), and any other event writes them first."""
    from nemochat.store import recorder as module

    monkeypatch.setattr(module, "LATER_S", 0.0)

    async def scenario() -> None:
        recorder = LedgerRecorder(ledger, API, "en")
        flushed = asyncio.Event()
        flush = recorder.flush
        recorder.flush = lambda: (flush(), flushed.set())  # the loop's call, as it happens
        feed(recorder, ui.SessionReady("s1"), ui.UserSaid("tell me", "s1"), ui.MessageDelta(0, "Once"), ui.MessageDelta(0, " upon"))
        assert [i.body for i in only_turn(ledger).items] == []  # not yet: the loop has not turned
        await asyncio.wait_for(flushed.wait(), WAIT)
        assert [(i.body, i.complete) for i in only_turn(ledger).items] == [("Once upon", False)]
        feed(recorder, ui.MessageDelta(0, " a time"), ui.Message(0, "Once upon a time"), ui.ToolActivity("generate_video", "Generating", "call"))
        # the tool call wrote the message before itself, without waiting
        assert [(i.kind, i.body) for i in only_turn(ledger).items] == [("text", "Once upon a time"), ("tool", "generate_video")]

    asyncio.run(scenario())


def test_a_long_turn_forgets_its_finished_messages(recorder, ledger):
    feed(recorder, ui.SessionReady("s1"), ui.UserSaid("go", "s1"))
    for n in range(50):
        feed(recorder, ui.MessageDelta(n, "piece"), ui.Message(n, f"message {n}"))
    assert recorder._items == {}  # nothing held for messages that are done
    assert len(only_turn(ledger).items) == 50
