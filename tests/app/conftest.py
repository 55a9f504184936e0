"""A simulator for the conversation tests, and a runtime wired to it with a
recording view, so tests assert what the user would be shown."""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager

import pytest

from nemochat.app.runtime import open_runtime
from nemochat.settings import Paths, Settings


class RecordingView:
    """The view interface, keeping everything it is asked to show."""

    def __init__(self) -> None:
        self.events: list = []
        self.errors: list = []
        self.finished = False

    def emit(self, event) -> None:
        self.events.append(event)

    def error(self, error) -> None:
        self.errors.append(error)

    def done(self) -> None:
        self.finished = True

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]





FAST = dict(retry_after_default=0.0, recovery_first_wait=0.0, recovery_interval=0.0, recovery_reads=2)


@pytest.fixture
def runtime(sim, world, isolated_home):
    """``async with runtime(**settings) as (rt, view)``: a fresh process's worth of state."""

    @asynccontextmanager
    async def make(**overrides):
        settings = dataclasses.replace(Settings.load(env={}), **{"api_base": sim.base_url, **FAST, **overrides})
        view = RecordingView()
        async with open_runtime(settings, view=view, paths=Paths.default()) as rt:
            yield rt, view

    return make
