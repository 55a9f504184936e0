"""Real turns against the simulator, through the runtime: what the ledger
holds afterwards, and how a session is resumed from it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from shared_helpers import RecordingView
from store_helpers import db_bytes

from nemochat.core import ui_events as ui
from nemochat.core.gui import translate_gui
from nemochat.errors import CreditsError, NemochatError
from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path


def ledger_now() -> Ledger:
    return Ledger(ledger_path(Paths.default()))


async def say(rt, text):
    await rt.conversation.connect()
    try:
        return await rt.conversation.handle(text)
    except NemochatError as error:  # what the commands do with a raised error
        rt.view.error(error)
        return error


@dataclass
class Chat:
    turns: list  # what the ledger kept of the session, read after the process ended
    view: RecordingView  # what the user was shown
    outcomes: list  # each line's outcome (a raised error included)


def chat(runtime, *lines: str) -> Chat:
    """Say each line in one session of one process; then read the ledger."""

    async def body():
        async with runtime() as (rt, view):
            outcomes = [await say(rt, line) for line in lines]
            return rt.conversation.session.session_id, view, outcomes

    session_id, view, outcomes = asyncio.run(body())
    with ledger_now() as ledger:
        return Chat(ledger.turns(session_id), view, outcomes)


def test_a_normal_turn_is_in_the_ledger_and_no_token_is(runtime, sim):
    async def body():
        async with runtime() as (rt, view):
            await say(rt, "make a 10s rainy Tokyo clip")
            token, client_id = rt.nemo.token, rt.nemo.client_id
            session_id = rt.conversation.session.session_id
            assert token.encode() not in db_bytes(ledger_path(Paths.default()))  # the write-ahead log too
        with ledger_now() as ledger:
            session = ledger.find_session(session_id)
            assert session.api_base == sim.base_url and session.task_id and session.user_id and session.language == "en"
            assert session.title == "make a 10s rainy Tokyo clip"
            (turn,) = ledger.turns(session_id)
        assert turn.user_text == "make a 10s rainy Tokyo clip"
        assert turn.tools == ("generate_video_with_seedance", "generate_music", "edit_multitrack")
        assert turn.messages == tuple(translate_gui(m.raw).text for m in view.of(ui.Message)) and len(turn.messages) == 2
        assert turn.finished and turn.silent is False and turn.error is None
        stored = db_bytes(ledger_path(Paths.default()))
        assert token and token.encode() not in stored
        assert client_id.encode() not in stored

    asyncio.run(body())


def test_a_silent_turn_keeps_its_changes(runtime):
    done = chat(runtime, "make a 10s rainy Tokyo clip", 'add the title "Neon Nights"')
    first, silent = done.turns
    assert silent.silent is True and silent.messages == () and silent.tools == ("edit_multitrack",)
    assert silent.changes == done.view.of(ui.ChangesShown)[-1].lines and any("Neon Nights" in c for c in silent.changes)


def test_an_error_in_the_stream_is_kept(runtime, world):
    world.set_faults(error_event={"message": "Internal error: model overloaded", "after_events": 1})
    (turn,) = chat(runtime, "make a 10s rainy Tokyo clip").turns
    assert "model overloaded" in turn.error and turn.finished


def test_a_refused_turn_keeps_the_users_words_and_the_reason(runtime, world):
    world.set_faults(error_code={"code": 2001})
    done = chat(runtime, "make a 10s rainy Tokyo clip")
    (outcome,), (turn,) = done.outcomes, done.turns
    assert isinstance(outcome, CreditsError)
    assert turn.user_text == "make a 10s rainy Tokyo clip"
    assert turn.error_code == "2001" and turn.finished


def test_the_last_session_is_resumed_by_default_without_a_recap(runtime):
    async def body():
        async with runtime() as (rt, view):
            await say(rt, "make a 10s rainy Tokyo clip")
            first = rt.conversation.session.session_id
        async with runtime() as (rt, view):  # a new process
            session = await rt.conversation.connect()
        assert session.session_id == first
        (ready,) = view.of(ui.SessionReady)
        assert ready.resumed and ready.session_id == first
        assert not view.of(ui.Notice)

    asyncio.run(body())


def test_resuming_by_id_shows_where_it_left_off(runtime):
    async def body():
        async with runtime() as (rt, view):
            await say(rt, "make a 10s rainy Tokyo clip")
            await say(rt, "hello there")
            first = rt.conversation.session.session_id
        async with runtime(session=first[:8]) as (rt, view):  # a unique prefix is enough
            session = await rt.conversation.connect()
            await say(rt, "add lo-fi music")
        assert session.session_id == first
        (recap,) = [n.message for n in view.of(ui.Notice) if n.message.startswith("Earlier in this session")]
        assert "you: make a 10s rainy Tokyo clip" in recap and "you: hello there" in recap
        assert "agent: Hi! I'm your NemoVideo agent" in recap
        with ledger_now() as ledger:
            assert [t.user_text for t in ledger.turns(first)] == ["make a 10s rainy Tokyo clip", "hello there", "add lo-fi music"]

    asyncio.run(body())


def test_a_session_the_server_knows_but_this_ledger_does_not_is_adopted(runtime, world):
    async def body():
        async with runtime() as (rt, view):
            made = await rt.conversation.connect()
        for leftover in Paths.default().data.glob("ledger.db*"):
            leftover.unlink()  # as if another machine (or tool) had made it
        async with runtime(session=made.session_id) as (rt, view):
            session = await rt.conversation.connect()
        assert session.session_id == made.session_id
        assert view.of(ui.SessionReady)[0].resumed

    asyncio.run(body())


def test_sessions_of_another_backend_are_not_resumed(runtime):
    async def body():
        with ledger_now() as ledger:
            ledger.touch_session("https://elsewhere.example", "old-session")
        async with runtime() as (rt, view):
            session = await rt.conversation.connect()
        assert session.session_id != "old-session"
        assert not view.of(ui.SessionReady)[0].resumed

    asyncio.run(body())


def test_an_export_is_a_render_job_with_its_file(runtime, tmp_path):
    async def body():
        async with runtime(output_dir=str(tmp_path), poll_interval=0.0) as (rt, view):
            await say(rt, "make a 10s rainy Tokyo clip")
            await say(rt, "export")
            return rt.conversation.session.session_id, view.of(ui.ExportDone)

    session_id, (result,) = asyncio.run(body())
    with ledger_now() as ledger:
        (job,) = ledger.jobs(kind="render")
        assert job.session_id == session_id and job.task_id == result.render_id
        assert job.status == "completed" and job.urls == (result.url,) and job.local_files == (result.path,)
        assert ledger.find_session(session_id).last_video == result.path


def test_a_failed_render_is_a_failed_job(runtime, world, tmp_path):
    world.set_faults(render_fail={"reason": "render worker crashed"})

    async def body():
        async with runtime(output_dir=str(tmp_path), poll_interval=0.0) as (rt, view):
            await say(rt, "make a 10s rainy Tokyo clip")
            outcome = await say(rt, "export")
            return outcome

    outcome = asyncio.run(body())
    assert isinstance(outcome, NemochatError) and outcome.code == "render_failed"
    with ledger_now() as ledger:
        (job,) = ledger.jobs(kind="render")
    assert job.status == "failed" and "render worker crashed" in job.error and job.task_id


def test_a_render_still_running_stays_an_open_job(runtime, tmp_path, capsys):
    from nemochat.cli import main

    async def body():
        async with runtime(output_dir=str(tmp_path), export_deadline=0.0) as (rt, view):
            await say(rt, "make a 10s rainy Tokyo clip")
            return await say(rt, "export"), rt.settings.api_base

    outcome, api_base = asyncio.run(body())
    assert outcome.code == "render_timeout"
    with ledger_now() as ledger:
        (job,) = ledger.jobs(open_only=True)
    assert job.kind == "render" and job.open and job.task_id
    assert main(["--api-base", api_base, "jobs", "--open"]) == 0  # what the user finds the next day
    assert job.task_id in capsys.readouterr().out


def test_a_silent_turns_changes_are_read_back_in_the_readers_language(runtime):
    """Recorded once (English in the row), said again in Chinese by `log` and the resume recap."""
    from nemochat.store.transcript import as_markdown, as_text, recap

    done = chat(runtime, "make a 10s rainy Tokyo clip", 'add the title "Neon Nights"')
    silent = done.turns[-1]
    assert any("text track" in c for c in silent.changes)  # --json and the English log keep the English
    with ledger_now() as ledger:
        session = ledger.find_session(silent.session_id)
    chinese = "\n".join([recap([silent], "zh"), as_text(session, done.turns, lang="zh"), as_markdown(session, done.turns, lang="zh")])
    assert chinese.count("文字轨道") == 3 and "Neon Nights" in chinese
    assert "text track" not in chinese
