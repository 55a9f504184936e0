"""The slash-command registry: one table drives help, completion and dispatch."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from nemochat.errors import UsageError
from nemochat.repl.commands import BUILTIN, Registry, SlashCommand, default_registry, parse_command, suggest

REQUIRED = ("credits", "status", "export", "upload", "session", "sessions", "jobs", "open", "clear", "help", "quit", "sora", "veo", "gateway")


async def _noop(ctx, args) -> None:
    ctx.calls.append(args)


def test_every_contract_command_is_registered_once():
    registry = default_registry()
    names = [c.name for c in registry]
    assert sorted(names) == sorted(set(names))
    for name in REQUIRED:
        assert registry.get(name) is not None, name


def test_lookup_by_name_alias_slash_and_case():
    registry = default_registry()
    assert registry.get("quit") is registry.get("/exit") is registry.get("Q")
    assert registry.get("nope") is None


def test_adding_a_command_is_one_entry():
    registry = default_registry()
    registry.add(SlashCommand("kling", "generate with Kling", "nemochat.somewhere:repl_kling", usage="PROMPT", complete="path"))
    assert registry.get("kling").usage == "PROMPT"
    assert [w for w, _ in registry.completions("kl")] == ["kling"]


def test_a_name_or_alias_cannot_be_taken_twice():
    registry = Registry(BUILTIN)
    with pytest.raises(ValueError):
        registry.add(SlashCommand("exit", "another exit", _noop))
    registry.add(SlashCommand("credits", "new credits", _noop), replace=True)
    assert registry.get("credits").help == "new credits"
    assert registry.get("balance") is None  # the old entry's aliases went with it


def test_completions_prefer_names_over_aliases():
    registry = default_registry()
    assert [w for w, _ in registry.completions("ex")] == ["export"]
    assert [w for w, _ in registry.completions("se")] == ["session", "sessions"]
    assert [w for w, _ in registry.completions("q")] == ["quit"]
    assert [w for w, _ in registry.completions("exi")] == ["exit"]  # only an alias matches
    assert len(registry.completions("")) == len(registry)


def test_parse_command_splits_like_a_shell():
    assert parse_command("/upload 'my clip.mp4' b.png") == ("upload", ["my clip.mp4", "b.png"])
    assert parse_command("/upload my\\ clip.mp4") == ("upload", ["my clip.mp4"])
    assert parse_command("/export") == ("export", [])
    assert parse_command("/upload 'unbalanced") == ("upload", ["'unbalanced"])


def test_suggest_a_close_command():
    assert suggest(default_registry(), "exprot") == "export"
    assert suggest(default_registry(), "zzzzzz") is None


def test_string_handlers_are_imported_on_first_use():
    command = SlashCommand("x", "x", "nemochat.repl.commands:cmd_clear")
    from nemochat.repl.commands import cmd_clear

    assert command.resolve() is cmd_clear


class FakeContext:
    def __init__(self) -> None:
        self.lang = "en"
        self.registry = default_registry()
        self.lines: list[str] = []
        self.shown: list[object] = []
        self.exported: list[str | None] = []
        self.quit = False
        self.jobs = SimpleNamespace(all=lambda: [])

    def say(self, text: str, style: str = "") -> None:
        self.lines.append(text)

    def show(self, renderable: object) -> None:
        self.shown.append(renderable)

    def start_export(self, output: str | None) -> None:
        self.exported.append(output)

    def request_quit(self) -> None:
        self.quit = True

    async def upload(self, paths):
        self.lines.append("upload " + " ".join(paths))


def run(ctx: FakeContext, line: str) -> None:
    word, args = parse_command(line)
    asyncio.run(ctx.registry.get(word).resolve()(ctx, args))


def test_help_lists_every_command_from_the_registry():
    ctx = FakeContext()
    run(ctx, "/help")
    (table,) = ctx.shown
    titles = [str(cell) for cell in table.columns[0].cells]
    assert titles == [c.title for c in ctx.registry]
    assert "/export [PATH]" in titles


def test_help_for_one_command_and_for_an_unknown_one():
    ctx = FakeContext()
    run(ctx, "/help quit")
    assert ctx.lines[0].startswith("/quit") and "/exit" in ctx.lines[0]
    with pytest.raises(UsageError):
        run(ctx, "/help nope")


def test_dispatch_export_upload_quit():
    ctx = FakeContext()
    run(ctx, "/export ~/out.mp4")
    run(ctx, "/export")
    assert ctx.exported == ["~/out.mp4", None]
    with pytest.raises(UsageError):
        run(ctx, "/export a b")
    with pytest.raises(UsageError):
        run(ctx, "/upload")
    run(ctx, "/upload a.mp4 https://x/b.png")
    assert ctx.lines[-1] == "upload a.mp4 https://x/b.png"
    run(ctx, "/q")
    assert ctx.quit


def test_cancelling_a_finished_job_says_its_state_in_the_chosen_language():
    ctx = FakeContext()
    ctx.lang = "zh"
    done = SimpleNamespace(id=1, running=False, status="done")
    ctx.jobs = SimpleNamespace(all=lambda: [done], get=lambda n: done if n == 1 else None)
    run(ctx, "/jobs cancel 1")
    assert ctx.lines == ["任务 #1 没有在运行(已完成)。"]
