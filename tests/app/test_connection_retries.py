"""NemoVideo out of reach: the requests that spend nothing are tried again
(with a notice before each wait), a /run_sse message that may have reached
the server never is, and after the retries the failure is one clear line.

Real connections only: a refused one is a bound port that never listens, a
reset is the simulator's ``drop_connection`` fault."""

from __future__ import annotations

import dataclasses

import pytest
from shared_helpers import RecordingView

from nemochat.app.runtime import open_runtime
from nemochat.clients.nemo import NemoClient
from nemochat.core import ui_events as ui
from nemochat.errors import NetworkError, StreamDropped
from nemochat.settings import Paths, Settings


def retry_notices(view) -> list[str]:
    return [n.message for n in view.of(ui.Notice) if n.message.startswith("NemoVideo unreachable")]


def test_a_safe_read_cut_before_any_answer_is_tried_again(runtime, world, run):
    async def scenario():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            world.set_faults(drop_connection={"path": "/api/credits", "times": 2})
            await rt.conversation.handle("credits")
            return view

    view = run(scenario())
    assert len(view.of(ui.CreditsShown)) == 1
    assert len(world.requests_to("/api/credits")) == 3, "two resets, then the answer"
    assert retry_notices(view) == ["NemoVideo unreachable, retrying now (1/3)…", "NemoVideo unreachable, retrying now (2/3)…"]


class ComesUpAfter(RecordingView):
    """Brings ``backend`` up once ``refusals`` retry notices were shown."""

    def __init__(self, backend, refusals: int) -> None:
        super().__init__()
        self.backend, self.refusals, self.brought_up = backend, refusals, False

    def emit(self, event) -> None:
        super().emit(event)
        if not self.brought_up and len(retry_notices(self)) == self.refusals:
            self.brought_up = True
            self.backend.up()


def test_the_first_token_request_refused_until_the_server_is_up(flaky_backend, run):
    """Connection refused twice (nothing listens), then the backend comes up:
    the token arrives and the line goes on."""
    flaky_backend.down()

    async def scenario():
        settings = dataclasses.replace(Settings.load(env={}), api_base=flaky_backend.base_url, connect_retry_wait=0.0)
        view = ComesUpAfter(flaky_backend, refusals=2)
        async with open_runtime(settings, view=view, paths=Paths.default()) as rt:
            await rt.conversation.connect()
            await rt.conversation.handle("credits")
        return view

    view = run(scenario())
    assert len(retry_notices(view)) == 2
    assert len(view.of(ui.SessionReady)) == 1 and len(view.of(ui.CreditsShown)) == 1
    assert len(flaky_backend.world.requests_to("/api/auth/anonymous-token")) == 1


def test_unreachable_after_the_retries_is_one_clear_line_exit_5(runtime, closed_port, run):
    port, _ = closed_port

    async def scenario():
        async with runtime(api_base=f"http://127.0.0.1:{port}") as (rt, view):
            with pytest.raises(NetworkError) as caught:
                await rt.conversation.connect()
            return view, caught.value

    view, error = run(scenario())
    assert error.message == f"Getting a token: could not connect to 127.0.0.1:{port} (connection refused; tried 4 times)"
    assert error.action == "Check your connection (or --api-base) and try again."
    assert error.exit_code == 5 and "\n" not in error.message
    assert len(retry_notices(view)) == 3


def test_a_name_that_does_not_resolve_says_so(runtime, run):
    async def scenario():
        async with runtime(api_base="http://nemovideo.invalid", connect_retries=1) as (rt, view):
            with pytest.raises(NetworkError) as caught:
                await rt.nemo.credits()
            return view, caught.value

    view, error = run(scenario())
    assert error.message == "Getting a token: could not connect to nemovideo.invalid (the name does not resolve; tried 2 times)"
    assert retry_notices(view) == ["NemoVideo unreachable, retrying now (1/1)…"]


def test_the_waits_are_settings_doubling_up_to_a_cap(closed_port, run, isolated_home, monkeypatch):
    """defaults < config.toml < NEMOCHAT_<FIELD>: the schedule comes from there;
    the client's clock is virtual (its sleep is injected), nothing waits."""
    port, _ = closed_port
    config = isolated_home / "nemochat.toml"
    config.write_text("connect_retry_wait = 2\nconnect_retry_max_wait = 3\n")
    monkeypatch.setenv("NEMOCHAT_CONFIG", str(config))
    monkeypatch.setenv("NEMOCHAT_CONNECT_RETRIES", "4")
    monkeypatch.setenv("NEMOCHAT_CONNECT_RETRY_MAX_WAIT", "5")
    settings = dataclasses.replace(Settings.load(), api_base=f"http://127.0.0.1:{port}")
    assert (settings.connect_retries, settings.connect_retry_wait, settings.connect_retry_max_wait) == (4, 2.0, 5.0)
    waits: list[float] = []
    notices: list[str] = []

    async def virtual_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def scenario():
        import httpx

        async with httpx.AsyncClient(base_url=settings.api_base) as http:
            nemo = NemoClient(http, settings, Paths.default(), notify=notices.append, sleep=virtual_sleep)
            with pytest.raises(NetworkError):
                await nemo.ensure_token()

    run(scenario())
    assert waits == [2.0, 4.0, 5.0, 5.0]
    assert notices[1] == "NemoVideo unreachable, retrying in 4 s (2/4)…"


def test_a_run_sse_cut_before_any_answer_is_never_sent_again(runtime, world, run):
    """It may have reached the server (and be spending credits): a dropped
    stream, recovered by reading the state, never a second POST."""

    async def scenario():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            world.set_faults(drop_connection={"path": "/run_sse", "times": None})
            with pytest.raises(StreamDropped) as caught:
                await rt.conversation.handle("make a 10s rainy Tokyo clip")
            world.set_faults(drop_connection=None)
            return view, caught.value

    view, error = run(scenario())
    assert len(world.requests_to("/run_sse")) == 1
    assert retry_notices(view) == []
    assert any("NOT sent again" in n.message for n in view.of(ui.Notice))
    assert error.message == "The connection dropped before the answer began." and "nemochat status" in error.action
    assert error.exit_code == 5


def test_a_run_sse_that_could_not_connect_is_tried_again(flaky_backend, run):
    """Refused, it cannot have reached the server: sending it is safe."""

    async def scenario():
        settings = dataclasses.replace(Settings.load(env={}), api_base=flaky_backend.base_url, connect_retry_wait=0.0)
        view = ComesUpAfter(flaky_backend, refusals=1)
        async with open_runtime(settings, view=view, paths=Paths.default()) as rt:
            session = await rt.conversation.connect()
            flaky_backend.down()
            async with rt.nemo.run_sse(session.session_id, "hello there") as batches:
                events = [data async for batch in batches for data in batch]
        return view, events

    view, events = run(scenario())
    assert retry_notices(view) == ["NemoVideo unreachable, retrying now (1/3)…"]
    assert len(flaky_backend.world.requests_to("/run_sse")) == 1 and events


def test_an_upload_is_not_tried_again(runtime, world, run, tmp_path):
    """An upload changes the project: a reset may hide one that worked."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0\0\0\x18ftypmp42" + bytes(64))

    async def scenario():
        async with runtime() as (rt, view):
            await rt.conversation.connect()
            world.set_faults(drop_connection={"path": "/api/upload-video", "times": None})
            with pytest.raises(NetworkError) as caught:
                await rt.conversation.handle(f"upload {clip}")
            world.set_faults(drop_connection=None)
            return view, caught.value

    view, error = run(scenario())
    assert len(world.requests_to("/api/upload-video")) == 1
    assert retry_notices(view) == []
    assert error.message.startswith("Uploading: the connection to 127.0.0.1:") and error.message.endswith("was cut before an answer came")


def test_the_repl_tries_again_on_the_next_line_after_an_unreachable_start(flaky_backend, run):
    """Out of reach at launch, with a fallback that could have served: the
    next line still tries NemoVideo again (and finds it back)."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from nemochat.repl.loop import Repl
    from shared_helpers import WAIT

    flaky_backend.down()

    async def scenario():
        import asyncio
        import io

        settings = dataclasses.replace(Settings.load(env={}), api_base=flaky_backend.base_url, connect_retry_wait=0.0,
                                       nanophoto_api_key="np-test-key-123456")
        failed, credited = asyncio.Event(), asyncio.Event()
        with create_pipe_input() as pipe:
            repl = Repl(settings=settings, out=io.StringIO(), color=False, input=pipe, output=DummyOutput())
            async with open_runtime(settings, view=repl.view, paths=Paths.default(), hooks=repl.conversation_hooks()) as rt:
                repl.attach(rt)
                fail, set_credits = repl.fail, repl.link.set_credits
                repl.fail = lambda error: (fail(error), failed.set())
                repl.link.set_credits = lambda available: (set_credits(available), credited.set())
                running = asyncio.create_task(repl.run())
                await asyncio.wait_for(failed.wait(), WAIT)
                assert repl.link.state == "failed" and rt.conversation.unavailable is not None
                flaky_backend.up()
                pipe.send_text("credits\r")
                await asyncio.wait_for(credited.wait(), WAIT)
                state, session = repl.link.state, rt.conversation.session
                repl.request_quit(force=True)
                await asyncio.wait_for(running, WAIT)
        return state, session

    state, session = run(scenario())
    assert state == "ready" and session is not None
    assert len(flaky_backend.world.requests_to("/api/auth/anonymous-token")) == 1
