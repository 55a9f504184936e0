"""Comparing UI event streams read in different pieces.

The turn joins the pieces of one message that one network read brought into
one ``MessageDelta`` (``TurnState.feed_all``), so how the deltas are grouped
follows the reads; what they say, and every other event, does not.
"""

from __future__ import annotations

from nemochat.core.ui_events import MessageDelta, UIEvent


def pieces_joined(events: list[UIEvent]) -> list[UIEvent]:
    """The events with each run of deltas of one message made one delta."""
    out: list[UIEvent] = []
    for event in events:
        last = out[-1] if out else None
        if type(event) is MessageDelta and type(last) is MessageDelta and last.index == event.index:
            out[-1] = MessageDelta(event.index, last.text + event.text)
        else:
            out.append(event)
    return out
