"""TurnState: agent events in, UI events out, with plain values and explicit times.

The rules under test (protocol.md, "The SSE stream"):
- each assistant message is shown once, however ADK streams it;
- tools are named progress, thoughts stay apart, errors are shown;
- "still working" every 120 s of quiet, counted from the last visible output;
- a trailing "I encountered a temporary issue" after a normal turn is noise;
- the GUI talk of a message becomes actions collected on the turn.
"""

from __future__ import annotations

import pytest

from nemochat.core import events as ev
from nemochat.core.gui import GuiAction
from nemochat.core.turn import Recent, TurnState
from nemochat.core.ui_events import (
    ErrorShown,
    Message,
    MessageDelta,
    MessageDropped,
    Notice,
    QuestionAsked,
    Thought,
    ToolActivity,
    TurnFinished,
)

STREAM = "e-1/nemo_agent"


def partial(text: str, stream: str = STREAM) -> ev.Text:
    return ev.Text(text, partial=True, stream=stream)


def final(text: str, stream: str = STREAM) -> ev.Text:
    return ev.Text(text, partial=False, stream=stream)


def thought(text: str, *, is_partial: bool = False, stream: str = STREAM) -> ev.Text:
    return ev.Text(text, partial=is_partial, stream=stream, thought=True)


def feed_all(turn: TurnState, *events: ev.AgentEvent, now: float = 1.0) -> list:
    out = []
    for event in events:
        out += turn.feed(event, now)
    return out


def messages(ui_events) -> list[Message]:
    return [e for e in ui_events if isinstance(e, Message)]


@pytest.fixture
def turn() -> TurnState:
    return TurnState(started_at=0.0)


# -- text shown once -------------------------------------------------------------------------


def test_partials_stream_as_deltas_and_the_final_completes_the_message_once(turn):
    out = feed_all(turn, partial("Hello, "), partial("world."), final("Hello, world."))
    assert out == [
        MessageDelta(0, "Hello, "),
        MessageDelta(0, "world."),
        Message(0, "Hello, world.", complete=True),
    ]
    assert turn.messages == ["Hello, world."]


def test_final_longer_than_the_partials_streams_only_the_rest(turn):
    out = feed_all(turn, partial("Your clip "), final("Your clip is ready."))
    assert out[1:] == [MessageDelta(0, "is ready."), Message(0, "Your clip is ready.")]


def test_final_that_differs_from_the_partials_wins(turn):
    out = feed_all(turn, partial("Your video is 8 sec"), final("Your video is 10 seconds long."))
    assert out == [MessageDelta(0, "Your video is 8 sec"), Message(0, "Your video is 10 seconds long.")]
    assert turn.messages == ["Your video is 10 seconds long."]


def test_final_without_partials_is_one_delta_and_one_message(turn):
    out = turn.feed(final("Done."), 1.0)
    assert out == [MessageDelta(0, "Done."), Message(0, "Done.")]


def test_final_without_text_completes_with_what_was_streamed(turn):
    out = feed_all(turn, partial("Trimmed."), final(""))
    assert messages(out) == [Message(0, "Trimmed.", complete=True)]


def test_each_llm_call_of_a_tool_loop_is_its_own_message(turn):
    out = feed_all(
        turn,
        partial("Generating the clip."), final("Generating the clip."),
        ev.ToolCall("generate_video"), ev.ToolResult("generate_video"),
        partial("Done: "), partial("10 s."), final("Done: 10 s."),
    )
    assert [(m.index, m.raw) for m in messages(out)] == [(0, "Generating the clip."), (1, "Done: 10 s.")]


def test_streams_of_different_authors_do_not_mix(turn):
    out = feed_all(
        turn,
        partial("Director: ", "e-1/director"), partial("Editor: ", "e-1/editor"),
        partial("plan.", "e-1/director"), final("Director: plan.", "e-1/director"),
        final("Editor: cut.", "e-1/editor"),
    )
    assert {m.raw: m.index for m in messages(out)} == {"Director: plan.": 0, "Editor: cut.": 1}


def test_typed_texts_without_a_stream_are_separate_messages(turn):
    out = feed_all(turn, ev.Text("On it."), ev.Text("Done."))
    assert [(m.index, m.raw) for m in messages(out)] == [(0, "On it."), (1, "Done.")]


def test_empty_partials_and_blank_finals_show_nothing(turn):
    assert turn.feed(partial(""), 1.0) == []
    assert turn.feed(final("   "), 1.0) == []
    assert turn.messages == []


def test_whitespace_only_message_is_dropped(turn):
    out = feed_all(turn, partial("  "), final("  "))
    assert out == [MessageDelta(0, "  "), MessageDropped(0)]
    assert turn.messages == []


def test_the_message_keeps_the_raw_text_and_the_turn_the_action_it_points_at(turn):
    (_, message) = turn.feed(final("Click the Export button when you're ready."), 1.0)
    assert message.raw == "Click the Export button when you're ready."  # each view translates it once, in its words
    assert [(a.kind, a.command) for a in turn.actions] == [("export", "/export")]


# -- tools, questions, errors, heartbeats ---------------------------------------------------------


def test_tool_call_and_result_become_named_progress(turn):
    out = feed_all(turn, ev.ToolCall("generate_video_with_seedance", {"duration": 10}), ev.ToolResult("generate_video_with_seedance"))
    assert out == [
        ToolActivity("generate_video_with_seedance", "Generating video", "call", "usually 2-5 min"),
        ToolActivity("generate_video_with_seedance", "Generating video", "result"),
    ]
    assert turn.tools == ["generate_video_with_seedance"]


def test_unknown_tool_gets_a_readable_label(turn):
    (activity,) = turn.feed(ev.ToolCall("add_sound_effect"), 1.0)
    assert activity.label == "Add sound effect"


def test_tools_are_listed_in_call_order_with_repeats(turn):
    feed_all(turn, ev.ToolCall("edit_multitrack"), ev.ToolCall("generate_music"), ev.ToolCall("edit_multitrack"))
    assert turn.tools == ["edit_multitrack", "generate_music", "edit_multitrack"]


def test_question_is_asked_and_kept(turn):
    question = ev.Question("Which style?", (ev.QuestionItem("style", "Pick one", (ev.QuestionOption("a", "Anime"),)),))
    assert turn.feed(question, 1.0) == [QuestionAsked(question)]
    assert turn.question == question
    assert turn.tools == []


def test_agent_error_is_shown_with_its_code_and_what_to_do(turn):
    (shown,) = turn.feed(ev.AgentError("Malformed function call", "MALFORMED_FUNCTION_CALL"), 1.0)
    assert shown.code == "MALFORMED_FUNCTION_CALL"
    assert shown.message == "Malformed function call"
    assert "`nemochat status`" in shown.action  # (the REPL shows it as /status: repl.live_view.in_repl)
    assert turn.errors == [ev.AgentError("Malformed function call", "MALFORMED_FUNCTION_CALL")]


def test_agent_error_without_a_code_gets_a_generic_one(turn):
    (shown,) = turn.feed(ev.AgentError("boom"), 1.0)
    assert isinstance(shown, ErrorShown)
    assert (shown.code, shown.message) == ("agent_error", "boom")


def test_heartbeat_shows_nothing(turn):
    assert turn.feed(ev.Heartbeat(), 1.0) == []


# -- thoughts ----------------------------------------------------------------------------------


def test_thought_partials_wait_for_their_final(turn):
    out = feed_all(turn, thought("Plan: ", is_partial=True), thought("trim.", is_partial=True), thought("Plan: trim."))
    assert out == [Thought("Plan: trim.")]
    assert turn.messages == []


def test_thought_and_answer_in_one_final_stay_apart(turn):
    out = feed_all(turn, thought("Check the title."), final("The title starts at 0 s."))
    assert out[0] == Thought("Check the title.")
    assert messages(out) == [Message(0, "The title starts at 0 s.")]


def test_blank_thought_is_not_shown(turn):
    assert turn.feed(thought("  "), 1.0) == []


# -- the still-working notice --------------------------------------------------------------------


def test_still_working_after_120_quiet_seconds_then_every_120(turn):
    assert turn.tick(119) == []
    assert turn.tick(120) == [Notice("Still working… (2:00)", kind="working")]
    assert turn.tick(121) == []
    assert turn.tick(239) == []
    (notice,) = turn.tick(240)
    assert "4:00" in notice.message


def test_heartbeats_do_not_reset_the_quiet_clock(turn):
    assert turn.feed(ev.Heartbeat(), 100) == []
    assert len(turn.tick(120)) == 1


def test_feed_itself_says_still_working_when_only_heartbeats_came(turn):
    assert turn.feed(ev.Heartbeat(), 130) == [Notice("Still working… (2:10)", kind="working")]


def test_visible_output_resets_the_quiet_clock(turn):
    turn.feed(partial("Working on it"), 100)
    assert turn.tick(120) == []
    assert turn.tick(219) == []
    (notice,) = turn.tick(220)
    assert "3:40" in notice.message  # elapsed time counts from the start of the turn


def test_tool_progress_counts_as_visible_output(turn):
    turn.feed(ev.ToolCall("generate_video"), 110)
    assert turn.tick(200) == []
    assert len(turn.tick(230)) == 1


def test_the_interval_is_a_setting():
    turn = TurnState(started_at=10.0, still_working_every=30.0)
    assert turn.tick(39.9) == []
    assert len(turn.tick(40.0)) == 1


def test_no_notice_after_the_turn_closed(turn):
    turn.close()
    assert turn.tick(1000) == []


# -- closing ------------------------------------------------------------------------------------


def test_close_flushes_partial_only_text_as_incomplete(turn):
    feed_all(turn, partial("Rendering your preview now"), partial(" — this usually takes"))
    assert turn.incomplete
    out = turn.close()
    assert out == [
        Message(0, "Rendering your preview now — this usually takes", complete=False),
        TurnFinished(silent=False),
    ]
    assert turn.incomplete  # still known once closed
    assert turn.messages == ["Rendering your preview now — this usually takes"]


def test_close_after_complete_messages_is_not_incomplete(turn):
    feed_all(turn, partial("Done"), final("Done."))
    assert turn.close() == [TurnFinished(silent=False)]
    assert not turn.incomplete


def test_close_twice_finishes_once(turn):
    assert turn.close() == [TurnFinished(silent=True)]
    assert turn.close() == []
    assert turn.closed


def test_close_shows_a_thought_that_never_got_its_final(turn):
    turn.feed(thought("Half a thought", is_partial=True), 1.0)
    assert turn.close() == [Thought("Half a thought"), TurnFinished(silent=True)]


# -- silent turns ---------------------------------------------------------------------------------


def test_tool_only_turn_is_silent(turn):
    feed_all(turn, ev.ToolCall("edit_multitrack"), ev.ToolResult("edit_multitrack"), final(""))
    assert turn.silent
    assert turn.close()[-1] == TurnFinished(silent=True)


def test_turn_with_text_is_not_silent(turn):
    turn.feed(final("Done."), 1.0)
    assert not turn.silent


def test_turn_with_only_a_question_is_not_silent(turn):
    turn.feed(ev.Question("Pick", (ev.QuestionItem("q", "p", ()),)), 1.0)
    assert not turn.silent


# -- the noise message ----------------------------------------------------------------------------

NOISE = "I encountered a temporary issue while processing your request. Please try again."


def test_temporary_issue_after_a_normal_message_is_dropped(turn):
    out = feed_all(turn, final("Added a fade-in."), partial("I encountered a temporary issue "), final(NOISE))
    assert out[-1] == MessageDropped(1)
    assert turn.messages == ["Added a fade-in."]


def test_temporary_issue_after_a_tool_result_is_dropped(turn):
    out = feed_all(turn, ev.ToolCall("edit_multitrack"), ev.ToolResult("edit_multitrack"), final(NOISE))
    assert out[-1] == MessageDropped(0)
    assert turn.messages == []


@pytest.mark.parametrize("noise", ["i have encountered a temporary issue.", "**I encountered a temporary issue**"])
def test_noise_spellings(turn, noise):
    turn.feed(final("Done."), 1.0)
    assert turn.feed(final(noise), 1.0)[-1] == MessageDropped(1)


def test_temporary_issue_as_the_only_answer_is_shown(turn):
    out = turn.feed(final(NOISE), 1.0)
    assert messages(out) == [Message(0, NOISE)]


def test_temporary_issue_after_only_a_tool_call_is_shown(turn):
    # the tool never answered: the message is the only news there is
    out = feed_all(turn, ev.ToolCall("generate_video"), final(NOISE))
    assert [m.raw for m in messages(out)] == [NOISE]


def test_a_real_message_mentioning_the_phrase_is_kept(turn):
    long = NOISE + " " + "The music track failed to generate, so I kept the original audio and trimmed the clip to 8 seconds. " * 3
    feed_all(turn, final("Done."), final(long))
    assert turn.messages == ["Done.", long]


def test_partial_only_noise_is_dropped_at_close(turn):
    feed_all(turn, final("Done."), partial("I encountered a temporary issue"))
    assert turn.close() == [MessageDropped(1), TurnFinished(silent=False)]


def test_indexes_keep_counting_after_a_dropped_message(turn):
    out = feed_all(turn, final("One."), final(NOISE), final("Two."))
    assert [(m.index, m.raw) for m in messages(out)] == [(0, "One."), (2, "Two.")]


# -- GUI actions ----------------------------------------------------------------------------------


def test_click_the_export_button_yields_an_export_action(turn):
    turn.feed(final("All done! Click the Export button when you're ready."), 1.0)
    assert turn.actions == [GuiAction("export", "/export", "Click the Export button")]


def test_chinese_export_instruction_yields_an_export_action(turn):
    turn.feed(final("完成啦！点击导出按钮即可下载。"), 1.0)
    assert [(a.kind, a.command) for a in turn.actions] == [("export", "/export")]


def test_actions_of_several_messages_are_collected_in_order(turn):
    feed_all(turn, final("Preview it in the timeline."), final("Then click Export."))
    assert [a.kind for a in turn.actions] == ["status", "export"]


def test_the_same_action_in_other_words_is_offered_once(turn):
    feed_all(turn, final("Click the Export button."), final("Or just click Export."))
    assert [a.kind for a in turn.actions] == ["export"]


def test_partial_text_alone_yields_no_action_until_the_message_completes(turn):
    turn.feed(partial("Click the Export button"), 1.0)
    assert turn.actions == []
    turn.close()
    assert [a.kind for a in turn.actions] == ["export"]


def test_plain_text_yields_no_action(turn):
    turn.feed(final("Your clip is ready: 10 seconds, 3 tracks."), 1.0)
    assert turn.actions == []


def test_dropped_noise_yields_no_action(turn):
    feed_all(turn, final("Done."), final("I encountered a temporary issue. Click the Export button to retry."))
    assert turn.actions == []


def test_a_turn_of_hours_keeps_only_its_recent_messages():
    """Memory stays flat however long the turn (only the current
    message is needed whole; the turn remembers the latest ones)."""
    turn = TurnState(started_at=0.0)
    for n in range(5000):
        turn.feed(ev.Text(f"message {n} " + "x" * 200, stream=f"e-{n}/nemo_agent"), 1.0)
        turn.feed(ev.ToolCall("edit_multitrack", call_id=f"c{n}"), 1.0)
    assert 0 < len(turn.messages) < 5000 and sum(map(len, turn.messages)) <= 256 * 1024
    assert turn.messages[-1].startswith("message 4999 ") and not turn.silent
    assert len(turn.tools) == 1000 and turn.tools[-1] == "edit_multitrack"


def test_short_turns_keep_everything():
    turn = TurnState(started_at=0.0)
    for n in range(3):
        turn.feed(ev.Text(f"m{n}", stream=f"e-{n}/a"), 1.0)
    assert turn.messages == ["m0", "m1", "m2"]


# -- one network read at a time (feed_all) --------------------------------------------------------


def test_a_reads_pieces_of_one_message_become_one_delta(turn):
    first = turn.feed_all([partial("Here "), partial("is "), partial("the plan")], 1.0)
    assert first == [MessageDelta(0, "Here is the plan")]
    assert turn.feed_all([partial("."), final("Here is the plan.")], 2.0) == [
        MessageDelta(0, "."),
        Message(0, "Here is the plan.", True),
    ]


def test_feed_all_shows_what_feeding_one_by_one_shows(turn):
    other = "e-2/nemo_agent"
    events = [
        partial("Trimming "), partial("the clip"), ev.ToolCall("edit_multitrack"), partial("Done, "),
        partial("see ", stream=other), partial("it"), partial("the preview", stream=other),
        final("Trimming the clipDone, it"), final("see the preview", stream=other),
    ]
    one_by_one = TurnState(started_at=0.0)
    alone = feed_all(one_by_one, *events)
    together = turn.feed_all(events, 1.0)
    assert [e for e in together if not isinstance(e, MessageDelta)] == [e for e in alone if not isinstance(e, MessageDelta)]
    # the pieces of each message, in order, and never across a tool call or another message
    assert [(d.index, d.text) for d in together if isinstance(d, MessageDelta)] == [
        (0, "Trimming the clip"), (0, "Done, "), (1, "see "), (0, "it"), (1, "the preview"),
    ]
    assert turn.messages == one_by_one.messages == ["Trimming the clipDone, it", "see the preview"]


def test_feed_all_resets_the_quiet_clock_like_feed():
    turn = TurnState(started_at=0.0, still_working_every=120.0)
    turn.feed_all([partial("Working on it")], 100.0)
    assert turn.tick(200.0) == []  # 100 s since the last text: not quiet yet
    assert turn.feed_all([], 230.0) and turn.tick(230.0) == []  # the notice came from feed_all itself


def test_text_cut_short_by_an_error_is_shown_before_the_error(turn):
    shown = feed_all(turn, partial("Generating your clip "), partial("now"), ev.AgentError("quota exhausted", "429"))
    assert [type(e).__name__ for e in shown] == ["MessageDelta", "MessageDelta", "Message", "ErrorShown"]
    assert shown[2] == Message(0, "Generating your clip now", complete=False)
    assert turn.incomplete
    assert turn.close() == [TurnFinished(silent=False)]  # nothing left to show after the error


# -- real ADK's repeats --------------------------------------------------------------

from nemochat.core import ui_events as ui  # noqa: E402


def _feed(*events) -> list:
    turn = TurnState(started_at=0.0)
    out = []
    for event in events:
        out += turn.feed(event, 0.0)
    return out + turn.close()


def test_a_call_in_a_partial_event_is_shown_once_after_the_text_before_it():
    call = dict(name="generate_music", call_id="adk-1", stream=STREAM)
    out = _feed(partial("Composing "), ev.ToolCall(partial=True, **call), final("Composing now."), ev.ToolCall(**call),
                ev.ToolResult("generate_music", {}, "adk-1"), ev.ToolResult("generate_music", {}, "adk-1"))
    shown = [e for e in out if isinstance(e, (ui.Message, ui.ToolActivity))]
    assert [(type(e).__name__, getattr(e, "phase", "")) for e in shown] == [("Message", ""), ("ToolActivity", "call"), ("ToolActivity", "result")]


def test_a_result_is_matched_to_its_call_by_id():
    out = _feed(ev.ToolCall("generate_video", call_id="a"), ev.ToolCall("generate_music", call_id="b"), ev.ToolResult("", None, "a"))
    result = [e for e in out if isinstance(e, ui.ToolActivity) and e.phase == "result"]
    assert [(r.name, r.call_id) for r in result] == [("generate_video", "a")]


def test_one_failure_said_twice_is_one_error_two_failures_are_two():
    twice = _feed(ev.AgentError("The model is overloaded.", "UNAVAILABLE"), ev.Heartbeat(), ev.AgentError("ServerError: …"))
    assert [e.code for e in twice if isinstance(e, ui.ErrorShown)] == ["UNAVAILABLE"]
    apart = _feed(ev.AgentError("first"), final("retrying"), ev.AgentError("second"))
    assert [e.message for e in apart if isinstance(e, ui.ErrorShown)] == ["first", "second"]


def test_a_handoff_is_shown_when_the_agent_changes_and_a_saved_file_once():
    out = _feed(ev.Handoff("music_director"), ev.Handoff("music_director"), ev.ArtifactSaved("storyboard.md", 0),
                ev.ArtifactSaved("storyboard.md", 0), ev.Handoff("nemo_agent"))
    assert [e.agent for e in out if isinstance(e, ui.HandedOff)] == ["music_director", "nemo_agent"]
    assert [e.name for e in out if isinstance(e, ui.ArtifactNoted)] == ["storyboard.md"]


def test_a_streamed_thought_is_shown_as_its_answer_begins_and_not_again():
    thought = ev.Text("Trim the intro.", partial=True, stream=STREAM, thought=True)
    out = _feed(thought, partial("Done"), ev.Text("Trim the intro.", stream=STREAM, thought=True), final("Done."))
    kinds = [type(e).__name__ for e in out if not isinstance(e, ui.TurnFinished)]
    assert kinds == ["Thought", "MessageDelta", "MessageDelta", "Message"]


def test_a_turns_recent_texts_keep_the_newest_and_take_them_only_by_append():
    recent = Recent(max_items=2)
    for word in ("a", "b", "c"):
        recent.append(word)
    assert recent == ["b", "c"] and ["b", "c"] == recent and recent[-1] == "c" and len(recent) == 2
    assert not any(hasattr(recent, way_in) for way_in in ("extend", "insert", "__iadd__", "__setitem__"))  # the cap can't be bypassed
