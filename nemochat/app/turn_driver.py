"""Drive one turn: SSE payloads in, UI events out, with the "still working" clock.

The same function serves a live ``/run_sse`` stream and a replayed fixture, so
a recording replays exactly as the live turn showed it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

from nemochat.core.events import parse_all
from nemochat.core.turn import TurnState
from nemochat.core.ui_events import UIEvent

Emit = Callable[[UIEvent], None]


async def drive_turn(
    batches: AsyncIterator[list[str]],
    emit: Emit,
    *,
    still_working_every: float = 120.0,
    clock: Callable[[], float] = time.monotonic,
    turn: TurnState | None = None,
) -> TurnState:
    """Consume the stream (the ``data`` of its events, in lists: what one
    network read brought) to its end and return the finished turn.

    The caller closes the turn (``turn.close()``) only for a stream that ended
    normally. If the stream raises, so does this function, and the turn it was
    handed (``turn``) is left open: the conversation recovers from what it
    holds without claiming the turn is over."""
    turn = turn or TurnState(started_at=clock(), still_working_every=still_working_every)
    ticker = asyncio.create_task(_tick(turn, emit, clock))
    try:
        async for batch in batches:
            now = clock()  # one read: the same moment for all its events
            for ui in turn.feed_all(parse_all(batch), now):
                emit(ui)
    finally:
        ticker.cancel()
    return turn


async def _tick(turn: TurnState, emit: Emit, clock: Callable[[], float]) -> None:
    # Streams may go silent for minutes (ADK sends no keep-alive): the notice
    # must come from a timer, not from the next event.
    while True:
        await asyncio.sleep(max(turn.still_working_every / 4, 0.05))
        for ui in turn.tick(clock()):
            emit(ui)
