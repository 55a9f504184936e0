"""The slash commands, as data.

One registry drives ``/help``, tab completion and dispatch. A command is a
``SlashCommand``: its name, aliases, usage, help line, what completion
offers for its arguments, whether it may run while the agent is answering,
and its handler: an ``async (ctx, args)`` function, or a ``"module:function"``
string imported the first time the command runs. Adding a command (``/sora``,
``/veo``, ``/gateway``) is one more entry in ``BUILTIN`` or one
``REGISTRY.add(...)`` call from the module that implements it.
"""

from __future__ import annotations

import importlib
import shlex
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from rich.table import Table
from rich.text import Text

from nemochat.core.sanitize import clean_line
from nemochat.core.texts import command_help, say
from nemochat.errors import NemochatError, UsageError

if TYPE_CHECKING:
    from nemochat.app.conversation import Session
    from nemochat.app.runtime import Runtime
    from nemochat.repl.jobs import Job, JobManager
    from nemochat.repl.live_view import LiveView
    from nemochat.settings import Settings

CompleteKind = Literal["none", "path", "session", "words", "provider"]


class ReplContext(Protocol):
    """What a command handler may use (the loop implements it)."""

    settings: Settings
    view: LiveView
    registry: Registry
    jobs: JobManager
    lang: str

    @property
    def runtime(self) -> Runtime: ...  # (a command runs once the runtime is there)
    def say(self, text: str, style: str = "") -> None: ...
    def show(self, renderable: Any) -> None: ...
    def fail(self, error: NemochatError) -> None: ...
    async def ensure_connected(self) -> Session: ...
    async def switch_session(self, session_id: str | None) -> None: ...
    def start_export(self, output: str | None) -> None: ...
    async def upload(self, paths: list[str]) -> None: ...
    async def open_project(self) -> None: ...
    def request_quit(self) -> None: ...
    def clear_screen(self) -> None: ...
    async def confirm(self, question: str, *, default: bool = False) -> bool: ...  # a line at the prompt; Enter alone: ``default``
    def start_job(self, kind: str, label: str, body: Callable[[Job], Awaitable[str | None]]) -> Job: ...  # in the background


Handler = Callable[[ReplContext, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class SlashCommand:
    name: str
    help: str
    handler: Handler | str  # a coroutine function, or "module:function" imported on first use
    aliases: tuple[str, ...] = ()
    usage: str = ""  # "[PATH]", "PATH_OR_URL...", "[new|ID]"
    complete: CompleteKind = "none"  # what tab completion offers for the arguments
    words: tuple[str, ...] = ()  # fixed argument words offered ("new")
    while_busy: bool = False  # may run while the agent is answering

    @property
    def title(self) -> str:
        return f"/{self.name} {self.usage}".rstrip()

    def resolve(self) -> Handler:
        if callable(self.handler):
            return self.handler
        module, _, func = self.handler.partition(":")
        return getattr(importlib.import_module(module), func)


class Registry:
    def __init__(self, commands: Iterable[SlashCommand] = ()) -> None:
        self._commands: list[SlashCommand] = []
        self._words: dict[str, SlashCommand] = {}
        for command in commands:
            self.add(command)

    def add(self, command: SlashCommand, *, replace: bool = False) -> None:
        words = (command.name, *command.aliases)
        old = self._words.get(command.name)
        if old is not None and replace:
            self.remove(old.name)
        for word in words:
            if word.lower() in self._words:
                raise ValueError(f"/{word} is already a command")
        self._commands.append(command)
        for word in words:
            self._words[word.lower()] = command

    def remove(self, name: str) -> None:
        command = self._words.get(name.lower())
        if command is None:
            return
        self._commands.remove(command)
        self._words = {w: c for w, c in self._words.items() if c is not command}

    def get(self, word: str) -> SlashCommand | None:
        return self._words.get(word.lower().lstrip("/"))

    def __iter__(self) -> Iterator[SlashCommand]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    def completions(self, prefix: str) -> list[tuple[str, SlashCommand]]:
        """(word, command) for the names starting with ``prefix``; aliases only
        when no name does (so "/ex" completes to /export, not also /exit)."""
        prefix = prefix.lower()
        names = [(c.name, c) for c in self._commands if c.name.startswith(prefix)]
        if names:
            return names
        return [(a, c) for c in self._commands for a in c.aliases if a.startswith(prefix)][:1] if prefix else []


def parse_command(line: str) -> tuple[str, list[str]]:
    """``"/upload 'a b.mp4' c.png"`` -> ``("upload", ["a b.mp4", "c.png"])``."""
    body = line.strip()[1:]
    word, _, rest = body.partition(" ")
    try:
        args = shlex.split(rest)
    except ValueError:  # an unbalanced quote: take the words as typed
        args = rest.split()
    return word.strip(), args


def suggest(registry: Registry, word: str) -> str | None:
    import difflib

    names = [w for c in registry for w in (c.name, *c.aliases)]
    close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.6)
    return close[0] if close else None


# -- the built-in commands -------------------------------------------------------------


async def cmd_credits(ctx: ReplContext, args: list[str]) -> None:
    await ctx.ensure_connected()
    await ctx.runtime.conversation.show_credits()


async def cmd_status(ctx: ReplContext, args: list[str]) -> None:
    await ctx.ensure_connected()
    await ctx.runtime.conversation.show_status()


async def cmd_export(ctx: ReplContext, args: list[str]) -> None:
    if len(args) > 1:
        raise UsageError("/export takes at most one path", action="Quote a path with spaces: /export 'my video.mp4'", key="usage.export")
    ctx.start_export(args[0] if args else None)


async def cmd_upload(ctx: ReplContext, args: list[str]) -> None:
    if not args:
        raise UsageError("/upload needs a file or a URL", action="For example: /upload ~/clips/intro.mp4 https://example.com/logo.png", key="usage.upload")
    await ctx.upload(args)


async def cmd_session(ctx: ReplContext, args: list[str]) -> None:
    if len(args) > 1:
        raise UsageError("/session takes one word: new, or a session id", key="usage.session")
    if not args:
        session = await ctx.ensure_connected()
        ctx.say(say(ctx.lang, "session.this", sid=session.session_id), "bold")
        ctx.say(say(ctx.lang, "session.hint"), "dim")
        return
    await ctx.switch_session(None if args[0].lower() == "new" else args[0])


async def cmd_sessions(ctx: ReplContext, args: list[str]) -> None:
    from nemochat.repl.sessions import known_sessions

    known = known_sessions(ctx.runtime)
    if not known:
        ctx.say(say(ctx.lang, "sessions.none"), "dim")
        return
    current = ctx.runtime.conversation.session
    for s in known[:20]:  # a line each, wrapped at spaces: an id is never cut (/session takes it as shown)
        mark = "●" if current and current.session_id == s.session_id else " "
        ctx.show(Text(mark, style="green") + Text("  ") + Text(clean_line(s.session_id), style="cyan")
                 + Text("  ") + Text(clean_line(s.describe()), style="dim"))
    ctx.say(say(ctx.lang, "sessions.switch"), "dim")


async def cmd_jobs(ctx: ReplContext, args: list[str]) -> None:
    if args:
        await cancel_job(ctx, args)
        return
    jobs = ctx.jobs.all()
    if not jobs:
        ctx.say(say(ctx.lang, "jobs.none"), "dim")
        return
    for job in jobs:
        ctx.say(clean_line(job.line(ctx.lang)), {"running": "cyan", "done": "green", "failed": "red", "cancelled": "dim"}[job.status])
    if ctx.jobs.running():
        ctx.say(say(ctx.lang, "jobs.cancel_hint"), "dim")


async def cancel_job(ctx: ReplContext, args: list[str]) -> None:
    """``/jobs cancel N``: stop waiting for job N, and cancel it on the server
    where the API allows (a render: protocol.md; NanoPhoto has no cancel)."""
    if len(args) != 2 or args[0].lower() != "cancel" or not args[1].lstrip("#").isdigit():
        raise UsageError(say(ctx.lang, "jobs.usage"), action=say(ctx.lang, "jobs.usage_example"))
    job = ctx.jobs.get(int(args[1].lstrip("#")))
    if job is None:
        raise UsageError(say(ctx.lang, "jobs.no_such", id=args[1].lstrip("#")), action=say(ctx.lang, "jobs.listed"))
    if not job.running:
        status = say(ctx.lang, "job.status." + job.status, default=job.status)
        ctx.say(say(ctx.lang, "jobs.not_running", id=job.id, status=status), "dim")
        return
    job.cancel_on_server = True
    await ctx.jobs.cancel(job)  # the job's own line says how it ended
    if job.kind != "export":
        ctx.say(say(ctx.lang, "jobs.no_cancel"), "dim")


async def cmd_open(ctx: ReplContext, args: list[str]) -> None:
    await ctx.open_project()


async def cmd_thoughts(ctx: ReplContext, args: list[str]) -> None:
    if len(args) > 1 or (args and args[0].lower() not in ("on", "off")):
        raise UsageError("/thoughts takes on or off", action="Show the agent's thinking with /thoughts on, hide it with /thoughts off.", key="usage.thoughts")
    if args:
        ctx.view.show_thoughts = args[0].lower() == "on"
    ctx.say(say(ctx.lang, "thoughts.shown" if ctx.view.show_thoughts else "thoughts.hidden"), "dim")


async def cmd_clear(ctx: ReplContext, args: list[str]) -> None:
    ctx.clear_screen()


async def cmd_help(ctx: ReplContext, args: list[str]) -> None:
    if args:
        command = ctx.registry.get(args[0])
        if command is None:
            raise UsageError(f"No command /{args[0].lstrip('/')}", action="/help lists them all.", key="usage.no_command",
                             word=args[0].lstrip("/"))
        also = f"  (also {', '.join('/' + a for a in command.aliases)})" if command.aliases else ""
        ctx.say(command.title + also, "bold")
        ctx.say("  " + command_help(ctx.lang, command.name, command.help))
        return
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    for command in ctx.registry:
        table.add_row(Text(command.title, style="cyan"), Text(command_help(ctx.lang, command.name, command.help)))
    ctx.show(table)
    ctx.say(say(ctx.lang, "help.more"), "dim")
    ctx.say(say(ctx.lang, "help.keys"), "dim")


async def cmd_quit(ctx: ReplContext, args: list[str]) -> None:
    ctx.request_quit()


BUILTIN: tuple[SlashCommand, ...] = (
    SlashCommand("credits", "your credit balance", cmd_credits, aliases=("balance",), while_busy=True),
    SlashCommand("status", "the project's timeline: tracks, segments, durations", cmd_status, aliases=("tracks",), while_busy=True),
    SlashCommand("export", "render the video and download the MP4 (in the background)", cmd_export, usage="[PATH]", complete="path", while_busy=True),
    SlashCommand("upload", "add local files or public URLs to the project", cmd_upload, usage="PATH_OR_URL...", complete="path"),
    SlashCommand("sora", 'Sora 2 directly, e.g. /sora submit --prompt "a cat surfing" (/sora submit --help: the flags)', "nemochat.repl.providers:cmd_sora",
                 usage="submit|status", complete="provider", words=("submit", "status")),
    SlashCommand("veo", 'Veo 3.1 directly, e.g. /veo submit --prompt "a cat surfing" (/veo submit --help: the flags)', "nemochat.repl.providers:cmd_veo",
                 usage="submit|status", complete="provider", words=("submit", "status")),
    SlashCommand("gateway", 'an OpenAI-style video gateway, e.g. /gateway submit --prompt "a cat surfing"', "nemochat.repl.providers:cmd_gateway",
                 usage="submit|status", complete="provider", words=("submit", "status")),
    SlashCommand("session", "this session; `new` starts another, an ID reopens one", cmd_session, usage="[new|ID]", complete="session", words=("new",)),
    SlashCommand("sessions", "the sessions you have used here, newest first", cmd_sessions, while_busy=True),
    SlashCommand("jobs", "background jobs (exports, videos) and how they are doing; `cancel N` stops one", cmd_jobs, usage="[cancel N]", complete="words", words=("cancel",), while_busy=True),
    SlashCommand("preview", "a video's keyframes: the last one, a job's (/preview 3) or a file's", "nemochat.repl.preview:cmd_preview", usage="[JOB|PATH]", complete="path", while_busy=True),
    SlashCommand("open", "play your last export, else open this project in the browser", cmd_open, while_busy=True),
    SlashCommand("thoughts", "show or hide the agent's thinking (dimmed, apart from the answer)", cmd_thoughts, usage="[on|off]",
                 complete="words", words=("on", "off"), while_busy=True),
    SlashCommand("clear", "clear the screen", cmd_clear, while_busy=True),
    SlashCommand("help", "this list; /help COMMAND for one", cmd_help, aliases=("?",), usage="[COMMAND]", complete="words", while_busy=True),
    SlashCommand("quit", "leave (Ctrl-D does it too)", cmd_quit, aliases=("exit", "q"), while_busy=True),
)


def default_registry() -> Registry:
    """A fresh registry of the built-in commands (each REPL gets its own)."""
    return Registry(BUILTIN)
