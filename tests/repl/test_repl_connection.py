"""The connection alone, against a host of its own (``ConnectionHost``): no prompt, no loop."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from nemochat.core import ui_events as ui
from nemochat.repl.connection import Connection


class Host:
    """Exactly what ``ConnectionHost`` names: a session that is ready, credits of 7."""

    def __init__(self) -> None:
        async def credits() -> dict:
            return {"available": 7}

        self.runtime = SimpleNamespace(nemo=SimpleNamespace(credits=credits))
        self.conversation = SimpleNamespace(session=None)
        self.view = None
        self.question = object()  # the agent's question of the session before
        self.dropped = 0
        self.redraws = 0
        self.tasks: list[asyncio.Task] = []

    async def until_ready(self) -> None:
        pass

    def fail(self, error) -> None:
        raise AssertionError(error)

    def unexpected(self, exc) -> None:
        raise AssertionError(exc)

    def say(self, message: str, style: str = "") -> None:
        pass

    def say_text(self, key: str) -> str:
        return key

    def changed(self) -> None:
        self.redraws += 1

    def drop_offers(self) -> None:
        self.dropped += 1

    def background(self, work) -> None:
        self.tasks.append(asyncio.ensure_future(work))


def test_a_new_session_drops_what_was_pending_and_fetches_the_credits():
    async def main() -> tuple[Host, Connection]:
        host = Host()
        link = Connection(host)
        link.session_ready(ui.SessionReady("abcdef123456"))
        await asyncio.gather(*host.tasks)
        return host, link

    host, link = asyncio.run(main())
    assert link.state == "ready" and link.credits == 7.0
    assert host.question is None and host.dropped == 1 and host.redraws >= 2
