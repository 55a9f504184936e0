"""The fallback in the conversation: NemoVideo out of credits (2001) or
unavailable, a NanoPhoto key or a gateway configured → one question with the
cost, then a playable clip from the Sora path. Never spends without a yes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nemochat.app.fallback import Fallback, why_fallback
from nemochat.app.runtime import open_runtime
from nemochat.commands.common import start_demo
from nemochat.core import ui_events as ui
from nemochat.errors import BackendError, CreditsError, NetworkError, RateLimited, StreamDropped
from nemochat.settings import Paths, Settings

ASK = "make a 10s rainy Tokyo clip in portrait"
QUESTION = "NemoVideo can't generate now (no credits). Generate with Sora 2 via NanoPhoto for 4 credits instead? [y/N]"


@pytest.fixture
def broke(world):
    """Every new NemoVideo user starts with no credits."""
    world.configure(starting_credits=0)
    return world


def test_without_yes_and_without_a_terminal_nothing_is_spent(cli, broke, providers):
    run = cli("--json", "ask", ASK)
    assert run.code == 4
    [error] = run.of("error")
    assert error["code"] == "2001" and "register" in error["action"]
    how = [n["message"] for n in run.of("notice") if "--yes" in n["message"]]
    assert how and "4 credits" in how[0] and "nemochat sora submit --prompt" in how[0]
    assert providers.requests == []


def test_with_yes_the_clip_comes_from_sora(cli, broke, providers, env):
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 0, run.out
    [submit] = providers.requests_to("/api/sora-2/generate")
    assert submit.json == {"prompt": ASK, "mode": "textToVideo", "modelTier": "sora2", "aspectRatio": "portrait", "videoDuration": "10"}
    video = run.of("video")[-1]
    assert video["provider"] == "sora2" and video["status"] == "completed" and video["credits_used"] == 4
    assert video["url"].endswith(".mp4") and Path(video["path"]).stat().st_size > 1000
    assert run.lines[-1] == {"type": "done"}


def test_the_users_words_pick_the_parameters(cli, broke, providers):
    run = cli("--json", "ask", "make a 15s rainy Tokyo clip, landscape, pro", "--yes")
    assert run.code == 0
    [submit] = providers.requests_to("/api/sora-2/generate")
    assert (submit.json["videoDuration"], submit.json["aspectRatio"], submit.json["modelTier"]) == ("15", "landscape", "sora2-pro-standard")
    assert any("100 credits" in n["message"] for n in run.of("notice"))


def test_no_fallback_never_offers(cli, broke, providers):
    run = cli("--json", "ask", ASK, "--yes", "--no-fallback")
    assert run.code == 4
    assert providers.requests == []


async def test_not_a_generation_request_is_not_offered(env, providers, tmp_path):
    asked: list = []
    fallback = Fallback(replace(Settings.load(), yes=True), Paths.default(), lambda e: None, confirm=asked.append)
    assert await fallback.offer("add lo-fi music", CreditsError("x", code=2001)) is None
    assert await fallback.offer(ASK, CreditsError("plan", code=402)) is None
    assert asked == [] and providers.requests == []


def test_without_a_key_or_gateway_there_is_nothing_to_offer(cli, broke, providers, monkeypatch):
    monkeypatch.delenv("NANOPHOTO_API_KEY")
    monkeypatch.delenv("SORA_GATEWAY_URL")
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 4
    assert providers.requests == []


def test_a_gateway_is_used_when_there_is_no_nanophoto_key(cli, broke, providers, monkeypatch):
    monkeypatch.delenv("NANOPHOTO_API_KEY")
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 0, run.out
    [create] = providers.requests_to("/v1/video/create")
    assert create.json["orientation"] == "portrait" and create.json["duration"] == 10
    assert run.of("video")[-1]["provider"] == "gateway"


def test_the_config_can_turn_the_fallback_off_or_pin_the_gateway(cli, broke, providers, monkeypatch):
    monkeypatch.setenv("NEMOCHAT_FALLBACK_PROVIDER", "none")
    assert cli("--json", "ask", ASK, "--yes").code == 4
    assert providers.requests == []
    monkeypatch.setenv("NEMOCHAT_FALLBACK_PROVIDER", "gateway")
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 0, run.out
    assert providers.requests_to("/v1/video/create") and not providers.requests_to("/api/sora-2/generate")


def test_fallback_ask_off_spends_without_asking(cli, broke, providers, monkeypatch):
    monkeypatch.setenv("NEMOCHAT_FALLBACK_ASK", "false")
    run = cli("--json", "ask", ASK)
    assert run.code == 0, run.out
    assert len(providers.requests_to("/api/sora-2/generate")) == 1


def test_a_lost_fallback_submit_is_not_sent_again(cli, broke, providers):
    providers.set(drop_submit=1)
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 5
    assert len(providers.requests_to("/api/sora-2/generate")) == 1


def test_nemovideo_busy_after_its_retries_offers_the_fallback(cli, world, providers):
    world.set_faults(http_429={"retry_after": 0, "path": "/run_sse", "times": None})
    run = cli("--json", "ask", ASK, "--yes")
    assert run.code == 0, run.out
    assert any("it is busy" in n["message"] or "Sora 2" in n["message"] for n in run.of("notice"))
    assert run.of("video")[-1]["status"] == "completed"


def test_why_fallback():
    assert why_fallback(CreditsError("x", code=2001)) == "no credits"
    assert why_fallback(CreditsError("plan", code=402)) is None  # a plan limit: Sora would not help export
    assert why_fallback(NetworkError("x")) == "it is unreachable"
    assert why_fallback(RateLimited("x")) == "it is busy"
    assert why_fallback(BackendError("x")) == "it is failing"
    assert why_fallback(StreamDropped("x")) is None  # the backend may be spending on it already


# -- in-process, with the question answered by an injected confirm (as the REPL does) ---------------


class Recorder:
    def __init__(self) -> None:
        self.events: list = []
        self.errors: list = []

    def emit(self, event) -> None:
        self.events.append(event)

    def error(self, error) -> None:
        self.errors.append(error)

    def done(self) -> None:
        pass


async def line_with_answer(settings: Settings, answer: bool, *, demo_broke: bool = False):
    view, asked = Recorder(), []

    async def confirm(question: str) -> bool:
        asked.append(question)
        return answer

    async with open_runtime(settings, view=view, start_demo=start_demo) as rt:
        if demo_broke:
            rt.sim.world.configure(starting_credits=0)
        rt.conversation.fallback.confirm = confirm
        await rt.conversation.connect()
        try:
            outcome = await rt.conversation.handle(ASK)
        except CreditsError as error:
            outcome = error
        view.keys = {r.key for r in rt.sim.world.providers.requests} if rt.sim else set()
    return outcome, asked, view


async def test_one_clear_question_then_the_clip(env, broke, providers):
    outcome, asked, view = await line_with_answer(Settings.load(), True)
    assert asked == [QUESTION]
    assert outcome.video.status == "completed" and outcome.video.files[0].is_file()
    [ready] = [e for e in view.events if isinstance(e, ui.VideoReady) and e.status == "completed"]
    assert ready.url and ready.path


async def test_no_means_no(env, broke, providers):
    outcome, asked, view = await line_with_answer(Settings.load(), False)
    assert asked == [QUESTION]
    assert isinstance(outcome, CreditsError) and outcome.exit_code == 4
    assert providers.requests == []


async def test_the_demo_falls_back_with_its_own_key(env, isolated_home):
    """`nemochat --demo`, no NemoVideo credits left: "make a 10s rainy Tokyo clip in portrait"
    ends with a playable clip from the Sora path after one question about the cost."""
    settings = replace(Settings.load(), demo=True, nanophoto_api_key=None)
    outcome, asked, view = await line_with_answer(settings, True, demo_broke=True)
    assert asked == [QUESTION]
    assert outcome.video.status == "completed"
    [clip] = outcome.video.files
    assert clip.read_bytes()[4:8] == b"ftyp"  # a real MP4
    assert view.keys == {"demo-key"}  # the real key of the environment never goes to the simulator
    assert (Paths.default().data / "demo" / "ledger.db").is_file()


async def test_the_repl_can_run_the_commands_in_its_runtime(env, providers):
    from nemochat.app.provider_run import run_in_runtime

    view, asked = Recorder(), []
    async with open_runtime(Settings.load(), view=view) as rt:
        code = await run_in_runtime(rt, "sora2", ["submit", "--prompt", "a cat", "--follow"], confirm=lambda q: asked.append(q) or True)
    assert code == 0
    assert asked == ["Sora 2 (sora2, 10 s, portrait) costs 4 NanoPhoto credits. Submit? [y/N]"]
    assert [e.status for e in view.events if isinstance(e, ui.VideoReady)] == ["processing", "completed"]
