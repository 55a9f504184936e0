"""What makes the recorder write at once (a transaction) and what waits for
the next batch: a long turn brings thousands of tool results and pieces."""

from __future__ import annotations

import asyncio

from nemochat.core import ui_events as ui
from nemochat.store import LedgerRecorder

API = "http://sim.example"


def test_a_tool_result_writes_nothing_and_does_not_hurry_the_text(ledger):
    async def scenario() -> list:
        recorder = LedgerRecorder(ledger, API, "en")
        for event in (ui.SessionReady("s1"), ui.UserSaid("go", "s1"), ui.MessageDelta(0, "Trimming")):
            recorder.emit(event)
        recorder.emit(ui.ToolActivity("edit_multitrack", "Editing", "result"))
        (turn,) = ledger.turns("s1")
        waiting = [i.body for i in turn.items]
        recorder.emit(ui.ToolActivity("generate_music", "Composing", "call"))  # a call writes, text first
        (turn,) = ledger.turns("s1")
        return [waiting, [(i.kind, i.body) for i in turn.items]]

    waiting, written = asyncio.run(scenario())
    assert waiting == []  # the piece still waits for its batch
    assert written == [("text", "Trimming"), ("tool", "generate_music")]
