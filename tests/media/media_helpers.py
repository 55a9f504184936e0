"""Helpers for the export/upload tests: a recording view, a runtime on the
simulator, a draft with the sim's clip on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from nemochat.app.runtime import Runtime, open_runtime
from nemochat.commands.common import start_demo
from nemochat.errors import NemochatError
from nemochat.settings import Settings
from nemochat.sim import RunningSimulator, SimWorld
from nemochat.sim import draft as drafts
from nemochat.sim.files import media

CLIP = media("clip.mp4").data  # what the simulator renders


class RecordingView:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.errors: list[NemochatError] = []

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def error(self, error: NemochatError) -> None:
        self.errors.append(error)

    def done(self) -> None:
        pass

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@asynccontextmanager
async def runtime(sim: RunningSimulator, out: Path, **flags: Any) -> AsyncIterator[Runtime]:
    settings = Settings.load(api_base=sim.base_url, output_dir=str(out), **flags)
    async with open_runtime(settings, view=RecordingView(), start_demo=start_demo) as rt:
        await rt.conversation.connect()
        yield rt


def put_clip(world: SimWorld, rt: Runtime, title: str = "Urban Dreams") -> None:
    """A draft with the sim's clip on it, as the agent would leave it."""
    session_id = rt.conversation.session.session_id

    def edit(session) -> None:
        seg = drafts.segment("clip", 0, 2000, u="/cdn/media/clip.mp4")
        drafts.replace_track(session.draft, drafts.VIDEO, "Video", [seg])
        session.draft["m"]["title"] = title

    world.edit_session(session_id, edit)


def run(coro):
    return asyncio.run(coro)
