"""After a dropped stream: never resend, read the state instead.

NemoVideo's guidance: wait 30 s, read the state, then every 60 s; give up
after 5 reads with no change and say how to check later. The waits are
settings (``recovery_first_wait``, ``recovery_interval``, ``recovery_reads``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from nemochat.core import cli_words
from nemochat.core.draft import Timeline, diff_timelines
from nemochat.core.ui_events import ChangesShown, Notice
from nemochat.errors import StreamDropped

if TYPE_CHECKING:
    from nemochat.app.conversation import Conversation


async def recover_after_drop(conv: Conversation, before: Timeline | None, dropped: StreamDropped) -> tuple[str, ...]:
    """Watch the state for the turn's effect; raise ``dropped`` if none shows."""
    settings = conv.settings
    conv.emit(
        Notice(
            f"{dropped.message} Your message was NOT sent again (the agent may still be working on it). "
            f"Checking the project state in {settings.recovery_first_wait:.0f} s…",
            kind="recovery",
            key="recovery.dropped",
            values=(("wait", f"{settings.recovery_first_wait:.0f}"),),
        )
    )
    wait = settings.recovery_first_wait
    for attempt in range(settings.recovery_reads):
        await asyncio.sleep(wait)
        wait = settings.recovery_interval
        after = await conv.timeline_or_none()
        if after is None or before is None:
            continue
        changes = diff_timelines(before, after)
        if changes:
            conv.emit(ChangesShown(changes, after_drop=True))
            return changes
        if attempt + 1 < settings.recovery_reads:
            conv.emit(Notice(f"No change yet; checking again in {wait:.0f} s…", kind="recovery", key="recovery.again", values=(("wait", f"{wait:.0f}"),)))
    raise StreamDropped(
        dropped.message,
        code=dropped.code,
        action=f"Nothing was resent. Check later with `{cli_words.command('status')}`; the agent may still finish the job.",
        key=dropped.key, **dropped.values,
    )
