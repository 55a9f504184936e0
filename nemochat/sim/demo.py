"""The simulator as ``--demo``'s backend: started on the world the last demo
run saved, and able to put its sample clip on an empty project, so a
newcomer's first export shows the whole flow instead of a refusal.

The app knows this only as a ``DemoBackend`` (app/runtime.py); the commands
hand ``start_demo`` to ``open_runtime``, so nothing below them imports the
simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemochat.sim import draft as drafts
from nemochat.sim.persist import start_saved_simulator
from nemochat.sim.runner import RunningSimulator


@dataclass(frozen=True)
class DemoSimulator:
    running: RunningSimulator
    found: bool  # False: a new world (no saved one), so no old token is worth keeping

    @property
    def base_url(self) -> str:
        return self.running.base_url

    @property
    def world(self) -> Any:  # for tests that reach into the demo's world
        return self.running.world

    def fill_empty(self, session_id: str) -> bool:
        """Put the sample clip on the session's timeline if nothing exportable is there; True if it did."""
        return bool(self.running.world.edit_session(session_id, _add_sample))

    def stop(self) -> None:
        self.running.stop()
        self.running.world.changed()  # the last word: whatever the stopped turns left


def start_demo(world_file: Path) -> DemoSimulator:
    """A simulator serving the world saved at ``world_file`` (a new one if there is none)."""
    running, found = start_saved_simulator(world_file)
    return DemoSimulator(running, found)


def _add_sample(project: Any) -> bool:
    if drafts.is_exportable(project.draft):
        return False
    clip = drafts.segment("sample clip", 0, 10_000, u="/cdn/media/clip.mp4")
    drafts.replace_track(project.draft, drafts.VIDEO, "Video", [clip])
    project.draft["m"]["title"] = "Demo"
    return True
