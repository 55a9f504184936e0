"""Every real-ADK recording (fixtures/sse/adk) streamed live: the simulator
writes its bytes one event per write, as ADK's server does, to the whole
client (HTTP, SSE, the turn, the conversation) in one session.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

from nemochat.core import ui_events as ui
from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path

ADK_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sse" / "adk"
RECORDINGS = sorted(ADK_DIR.glob("*.sse"))


def _turns(events: list) -> list[list]:
    """The view's events cut at each TurnFinished."""
    turns, current = [], []
    for event in events:
        current.append(event)
        if isinstance(event, ui.TurnFinished):
            turns.append(current)
            current = []
    return turns


def test_every_adk_recording_streams_live_with_its_expected_result(runtime, world):
    assert len(RECORDINGS) >= 11

    async def body():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            for path in RECORDINGS:
                world.set_faults(replay_stream={"path": str(path), "per_event": True})
                await rt.conversation.handle(f"play {path.stem}")
            return view.events, rt.conversation.session.session_id

    events, session_id = asyncio.run(body())
    turns = _turns(events)
    with Ledger(ledger_path(Paths.default())) as ledger:
        kept = ledger.turns(session_id)
    assert len(kept) == len(RECORDINGS)
    assert len(turns) == len(RECORDINGS)
    for path, events, record in zip(RECORDINGS, turns, kept, strict=False):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        of = lambda kind, events=events: [e for e in events if isinstance(e, kind)]  # noqa: E731
        assert [m.raw for m in of(ui.Message)] == expected["texts"], path.stem
        calls = [a for a in of(ui.ToolActivity) if a.phase == "call"]
        assert [c.name for c in calls] == expected["tools"], path.stem
        assert [i.body for i in record.items if i.kind == "tool"] == expected["tools"], path.stem  # the ledger: once each too
        assert all(n == 1 for n in Counter(c.call_id for c in calls).values()), path.stem  # one line per call id
        errors = of(ui.ErrorShown)
        assert len(errors) == len(expected["errors"]), path.stem  # one failure, one error
        for error, needle in zip(errors, expected["errors"], strict=False):
            assert needle in error.message and "{'" not in error.message and error.code != "agent_error"
        assert [h.agent for h in of(ui.HandedOff)] == expected["handoffs"], path.stem
        assert [n.name for n in of(ui.ArtifactNoted)] == expected["artifacts"], path.stem
        assert [t.text for t in of(ui.Thought)] == expected["thoughts"], path.stem
        # a call's line comes after the message said before it in the same model call
        order = [e for e in events if isinstance(e, (ui.Message, ui.ToolActivity)) and getattr(e, "phase", "call") == "call"]
        if expected["tools"] and expected["texts"]:
            assert isinstance(order[0], ui.Message), path.stem
