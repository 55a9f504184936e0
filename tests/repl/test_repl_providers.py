"""/sora, /veo, /gateway in the chat: rules and cost first, the job after."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from nemochat.errors import UsageError
from nemochat.repl.providers import cmd_gateway, cmd_sora, cmd_veo


class Ctx:
    def __init__(self, answer: bool = True, yes: bool = False) -> None:
        self.lang = "en"
        self.runtime = SimpleNamespace(settings=SimpleNamespace(yes=yes))
        self.answer = answer
        self.asked: list[str] = []
        self.jobs: list[str] = []
        self.said: list[str] = []
        self.order: list[str] = []

    async def confirm(self, question: str) -> bool:
        self.asked.append(question)
        self.order.append("ask")
        return self.answer

    def start_job(self, kind, label, body):
        self.jobs.append(kind)
        self.order.append("job")
        body(None).close()  # not run here: only that it was started

    def say(self, text: str, style: str = "") -> None:
        self.said.append(text)


@pytest.mark.parametrize(
    "command, args",
    [
        (cmd_sora, ["submit"]),  # no prompt
        (cmd_sora, ["submit", "--prompt", "a fox", "--image-url", "/tmp/not-public.png"]),
        (cmd_veo, ["submit", "--shots-json", "{not json"]),
        (cmd_gateway, ["submit"]),
        (cmd_sora, ["submit", "--no-such-flag"]),
    ],
)
def test_a_broken_rule_is_one_error_and_no_job(command, args):
    ctx = Ctx()
    with pytest.raises(UsageError):
        asyncio.run(command(ctx, args))
    assert ctx.jobs == [] and ctx.asked == []


def test_the_cost_is_asked_before_the_job_starts():
    ctx = Ctx(answer=True)
    asyncio.run(cmd_sora(ctx, ["submit", "--prompt", "a fox in the snow"]))
    assert ctx.order == ["ask", "job"] and ctx.jobs == ["sora"]
    assert "costs 4 NanoPhoto credits. Submit? [y/N]" in ctx.asked[0]


def test_no_to_the_cost_starts_nothing():
    ctx = Ctx(answer=False)
    asyncio.run(cmd_sora(ctx, ["submit", "--prompt", "a fox in the snow"]))
    assert ctx.jobs == [] and any("nothing was spent" in s for s in ctx.said)


def test_yes_setting_skips_the_question():
    ctx = Ctx(yes=True)
    asyncio.run(cmd_sora(ctx, ["submit", "--prompt", "a fox in the snow"]))
    assert ctx.asked == [] and ctx.jobs == ["sora"]
