"""NemoVideo out of reach from the very first token request, a NanoPhoto
key (or a gateway) configured: a video request is offered the fallback
with the same question as when NemoVideo fails mid-conversation, in the
one-shot ``ask`` and in the REPL; nothing is spent without a yes, and
anything else fails with one clear line after one round of retries.

NemoVideo's address is a port on 127.0.0.1 that refuses connections (bound,
never listening); NanoPhoto and the gateway are the simulator."""

from __future__ import annotations

import asyncio
import io
import socket

import pytest
from shared_helpers import WAIT

from nemochat.app.runtime import open_runtime
from nemochat.core import ui_events as ui
from nemochat.errors import NetworkError
from nemochat.settings import Settings

ASK = "make a 10s rainy Tokyo clip in portrait"
QUESTION = "NemoVideo can't generate now (it is unreachable). Generate with Sora 2 via NanoPhoto for 4 credits instead? [y/N]"


@pytest.fixture
def refused(env, monkeypatch):
    """NemoVideo at a port that refuses connections; no wait between retries."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("NEMO_API_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("NEMOCHAT_CONNECT_RETRY_WAIT", "0")
        yield f"Getting a token: could not connect to 127.0.0.1:{port} (connection refused; tried 4 times)"


def retries(run) -> list[str]:
    return [n["message"] for n in run.of("notice") if n["message"].startswith("NemoVideo unreachable")]


def test_ask_with_yes_makes_the_clip_with_sora(cli, refused, providers):
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 0, run.out
    [submit] = providers.requests_to("/api/sora-2/generate")
    assert submit.json["prompt"] == ASK and submit.json["aspectRatio"] == "portrait"
    video = run.of("video")[-1]
    assert video["provider"] == "sora2" and video["status"] == "completed"
    assert len(retries(run)) == 3, "one round of retries, not one per request"
    assert run.of("session") == [] and run.lines[-1] == {"type": "done"}


def test_ask_without_a_terminal_spends_nothing_and_says_how(cli, refused, providers):
    run = cli("--json", "ask", ASK)
    assert run.code == 5
    [error] = run.of("error")
    assert (error["code"], error["message"]) == ("network", refused)
    how = [n["message"] for n in run.of("notice") if "--yes" in n["message"]]
    assert how and how[0].startswith("NemoVideo can't generate now (it is unreachable). Sora 2 via NanoPhoto for 4 credits is possible")
    assert len(retries(run)) == 3
    assert providers.requests == []


def test_the_gateway_serves_when_there_is_no_nanophoto_key(cli, refused, providers, monkeypatch):
    monkeypatch.delenv("NANOPHOTO_API_KEY")
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 0, run.out
    assert run.of("video")[-1]["provider"] == "gateway"


@pytest.mark.parametrize("args", [("ask", "credits"), ("ask", "hello"), ("export",), ("ask", ASK, "--yes", "--no-fallback")])
def test_anything_else_is_the_one_line_error_after_one_round(cli, refused, providers, args):
    """Credits, chat the fallback can't answer, an export, or the fallback
    turned off: exit 5 with the same line, nothing spent, no traceback."""
    run = cli("--json", *args)
    assert run.code == 5, run.out
    [error] = run.of("error")
    assert error["message"] == refused and error["action"] == "Check your connection (or --api-base) and try again."
    assert len(retries(run)) == 3
    assert providers.requests == []
    assert "Traceback" not in run.out + run.err


async def ask_in_process(answer: bool):
    """``ask`` as the command runs it (connect, then the line), the question
    answered by an injected confirm (as the REPL does)."""
    from shared_helpers import RecordingView

    view, asked = RecordingView(), []

    async def confirm(question: str) -> bool:
        asked.append(question)
        return answer

    async with open_runtime(Settings.load(), view=view) as rt:
        rt.conversation.fallback.confirm = confirm
        await rt.conversation.connect()
        try:
            outcome = await rt.conversation.handle(ASK)
        except NetworkError as error:
            outcome = error
    return outcome, asked, view


async def test_the_same_question_as_mid_conversation_then_the_clip(refused, providers):
    outcome, asked, view = await ask_in_process(True)
    assert asked == [QUESTION]
    assert outcome.video.status == "completed" and outcome.video.files[0].is_file()
    assert [e.status for e in view.of(ui.VideoReady)][-1] == "completed"


async def test_no_means_the_error_and_nothing_spent(refused, providers):
    outcome, asked, view = await ask_in_process(False)
    assert asked == [QUESTION]
    assert isinstance(outcome, NetworkError) and outcome.message == refused and outcome.exit_code == 5
    assert providers.requests == []


async def test_the_repl_asks_at_the_prompt(refused, providers):
    """`nemochat` with NemoVideo out of reach from the start: the launch says
    so, a video request gets the cost question at the prompt, `y` + Enter makes it."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from nemochat.repl.loop import Repl

    out = io.StringIO()
    asked, handled, questions = asyncio.Event(), asyncio.Event(), []
    with create_pipe_input() as pipe:
        settings = Settings.load()
        repl = Repl(settings=settings, out=out, color=False, input=pipe, output=DummyOutput())
        async with open_runtime(settings, view=repl.view, hooks=repl.conversation_hooks()) as rt:
            repl.attach(rt)
            one_key = rt.conversation.fallback.confirm  # the REPL's, from repl.conversation_hooks()
            handle = rt.conversation.handle_intent

            async def confirm(question: str) -> bool:
                questions.append(question)
                asked.set()
                return await one_key(question)

            async def handle_and_tell(intent):
                try:
                    return await handle(intent)
                finally:
                    handled.set()

            rt.conversation.fallback.confirm = confirm
            rt.conversation.handle_intent = handle_and_tell
            running = asyncio.create_task(repl.run())
            pipe.send_text(ASK + "\r")
            await asyncio.wait_for(asked.wait(), WAIT)
            pipe.send_text("y\r")
            await asyncio.wait_for(handled.wait(), WAIT)
            repl.request_quit(force=True)
            assert await asyncio.wait_for(running, WAIT) == 0
    shown = " ".join(out.getvalue().split())  # as words: the printer wraps long lines
    assert questions == [QUESTION]
    assert "for 4 credits instead? yes" in shown and "Video ready (Sora 2 · 4 credits)" in shown
    assert f"✗ {refused}" in shown, "the launch said why NemoVideo is not there"
    assert "Type anything to try again; if NemoVideo is still out of reach, a video request will offer Sora 2 instead" in shown
    [submit] = providers.requests_to("/api/sora-2/generate")
    assert submit.json["prompt"] == ASK
