"""A turn the agent broke off offers nothing: its text may have offered an
export ("click Export"), but after an error that export may act on a video
that was never made. Real HTTP to the simulator; the error is its fault."""

from __future__ import annotations

from nemochat.core import ui_events as ui


def test_a_turn_that_ends_in_an_error_offers_no_action(runtime, world, run):
    async def scenario():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            # The whole scripted answer (which offers /status and /export), then the error.
            world.set_faults(error_event={"message": "model overloaded", "after_events": 10_000})
            return view, await rt.conversation.handle("make a 10s rainy Tokyo clip")

    view, outcome = run(scenario())
    assert outcome.error is not None and outcome.error.exit_code == 5
    assert outcome.turn is not None and outcome.turn.actions, "the text did offer them"
    assert outcome.actions == [] and view.of(ui.ActionOffered) == []


def test_a_turn_that_ends_well_offers_them(runtime, world, run):
    async def scenario():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            return view, await rt.conversation.handle("make a 10s rainy Tokyo clip")

    view, outcome = run(scenario())
    assert outcome.error is None
    assert [a.kind for a in outcome.actions] == [o.action.kind for o in view.of(ui.ActionOffered)] == ["status", "export"]
