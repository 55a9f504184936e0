"""The command line's grammar: every command, its arguments and the global
options, as a registry (name → arguments → the function that runs it, named
as "module:function" and imported only when chosen), and the parser built
from it. ``cli.main`` parses with it; completion scripts, the REPL's
``/sora`` and ``/veo`` and docs/cli-reference.md are made from it too.

Importing this module costs nothing: argparse is imported when a parser is built.
"""

from __future__ import annotations

from nemochat import __version__

TYPE_CHECKING = False  # (not typing's: even `typing` costs --version 10%)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any


def _no_arguments(p: argparse.ArgumentParser) -> None:
    pass


class CommandSpec:
    __slots__ = ("name", "help", "target", "arguments")

    def __init__(self, name: str, help: str, target: str, arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments) -> None:
        self.name = name
        self.help = help
        self.target = target  # "module:function", imported lazily
        self.arguments = arguments


def _ask_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="*", help='what to say; text piped in comes first, then these words ("-": only stdin)')


def _replay_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="+", help="recorded .sse streams (several: each under its name, one after another)")


def _sim_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default: any free port)")


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="PATH", help="the file to write (or a folder for the default name)")
    p.add_argument("--format", default="mp4", choices=["mp4"], help="output format (the renderer makes mp4)")
    p.add_argument("--quality", default="high", choices=["low", "medium", "high"], help="output quality (default high)")
    p.add_argument("--force", action="store_true", help="replace an existing file instead of picking a new name")
    p.add_argument("--render-id", metavar="ID", help="fetch this render (one that is running or done) instead of starting one")


def _upload_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("items", nargs="+", metavar="PATH_OR_URL", help="local files and/or public http(s) URLs")


def _sessions_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N sessions (default 50)")


def _log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true", help="as Markdown (redirect it to a FILE.md)")
    p.add_argument("--last", type=int, metavar="N", help="only the last N turns")
    p.add_argument("--thoughts", action="store_true", help="include the agent's thoughts")


def _jobs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", choices=("render", "sora2", "veo3.1", "gateway"), help="only jobs of this kind")
    p.add_argument("--open", action="store_true", help="only jobs that are not finished")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N jobs (default 50)")


def _config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("path", "show", "set", "unset"), help="where the file is, every value and its source, or change one")
    key = p.add_argument("key", nargs="?", help="a setting, e.g. lang or sora_interval")
    key.complete_words = "nemochat.config_file:config_keys"  # type: ignore[attr-defined]  # read by `completion` only
    p.add_argument("value", nargs="?", help="the new value (for set)")


def _completion_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell to complete for")


def _lazy(target: str) -> Callable[[argparse.ArgumentParser], None]:
    """Arguments defined in the command's own module ("module:function")."""

    def add(p: argparse.ArgumentParser) -> None:
        import importlib

        module_name, func_name = target.split(":")
        getattr(importlib.import_module(module_name), func_name)(p)

    return add


COMMANDS: list[CommandSpec] = [
    CommandSpec("ask", "one turn through the same router as the REPL, then exit", "nemochat.commands.basic:ask", _ask_args),
    CommandSpec("credits", "show the credit balance", "nemochat.commands.basic:credits"),
    CommandSpec("status", "show the session's timeline", "nemochat.commands.basic:status"),
    CommandSpec("sessions", "the sessions this machine has used, newest first", "nemochat.commands.ledger:sessions", _sessions_args),
    CommandSpec("log", "a session's transcript (the last one, or --session ID)", "nemochat.commands.ledger:log", _log_args),
    CommandSpec("jobs", "renders and Sora/Veo videos, newest first", "nemochat.commands.ledger:jobs", _jobs_args),
    CommandSpec("config", "the config file: path, show (with sources), set KEY VALUE, unset KEY", "nemochat.commands.ledger:config", _config_args),
    CommandSpec("completion", "a completion script for bash, zsh or fish", "nemochat.commands.ledger:completion", _completion_args),
    CommandSpec("replay", "render a recorded SSE stream as a live turn would, offline", "nemochat.commands.basic:replay", _replay_args),
    CommandSpec("export", "render the session's draft, wait, download the MP4", "nemochat.commands.media:export", _export_args),
    CommandSpec("upload", "upload local files and/or public URLs to the session", "nemochat.commands.media:upload", _upload_args),
    CommandSpec("open", "open the last exported video (or print its path)", "nemochat.commands.media:open_last"),
    CommandSpec("sora", "NanoPhoto Sora 2 directly: submit | status", "nemochat.commands.providers:sora", _lazy("nemochat.commands.providers:sora_args")),
    CommandSpec("veo", "NanoPhoto Veo 3.1 directly: submit | status", "nemochat.commands.providers:veo", _lazy("nemochat.commands.providers:veo_args")),
    CommandSpec("gateway", "an OpenAI-style video gateway: submit | status", "nemochat.commands.providers:gateway", _lazy("nemochat.commands.providers:gateway_args")),
    CommandSpec("preview", "a video's keyframes as a contact sheet (FILE, or --last)", "nemochat.commands.preview:run", _lazy("nemochat.commands.preview:preview_args")),
    CommandSpec("sim", "run the simulator of every backend in the foreground", "nemochat.commands.sim:run", _sim_args),
]


def global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The contract's global options; ``suppress`` keeps a subcommand from
    resetting a value given before the command, and from listing them again
    in its --help (they are listed once, in ``nemochat --help``)."""
    import argparse

    d = argparse.SUPPRESS if suppress else None
    flag = argparse.SUPPRESS if suppress else False
    g = parser.add_argument_group("global options")

    def add(*flags: str, help: str, **kw: Any) -> None:  # argparse's own keywords, passed through (typed there)
        g.add_argument(*flags, help=argparse.SUPPRESS if suppress else help, **kw)

    add("--api-base", metavar="URL", default=d, help="NemoVideo backend, an http(s) URL (env NEMO_API_URL)")
    add("--token", metavar="TOKEN", default=d, help="a NemoVideo token: skips the anonymous bootstrap (env NEMO_TOKEN)")
    add("--session", metavar="ID", default=d, help="resume this session (env NEMO_SESSION; default: the last one)")
    add("--lang", metavar="CODE", default=d, help="session language, e.g. en or zh (env NEMO_LANG; default: the locale's)")
    add("--json", action="store_true", default=flag, help="one JSON object per line on stdout (for scripts)")
    add("--demo", action="store_true", default=flag, help="use the embedded simulator on 127.0.0.1: no account, no network")
    add("--record", metavar="DIR", default=d, help="save every agent stream in DIR as a replayable fixture")
    add("--poll-interval", metavar="S", type=float, default=d, help="override every status-poll interval (seconds)")
    add("-y", "--yes", action="store_true", default=flag, help="do not ask before spending credits")
    add("--no-fallback", action="store_true", default=flag, help="never fall back to Sora/Veo")
    add("--verbose", action="store_true", default=flag, help="more detail on stderr")
    add("--debug", action="store_true", default=flag, help="tracebacks and requests on stderr (tokens redacted), and a debug log in the state folder")


_kept: list[argparse.ArgumentParser] = []  # the last parser_asking() built, while it has printed nothing


def parser_asking(lang: Callable[[], str]) -> argparse.ArgumentParser:
    """``build_parser(lang)``, kept for the next call in this process: a build
    costs ~14 ms, and a library caller (the in-process tests) runs ``main``
    hundreds of times. A parser that printed a line (--help, a usage error) has
    been translated in place and is built afresh."""
    from nemochat.cli_help import commands

    if _kept:
        tree = [_kept[0], *(sub for _, sub, _ in commands(_kept[0]))]
        if all(getattr(p, "language", None) is not None for p in tree):  # (speak() sets it to None where it printed)
            for p in tree:
                p.language = lang  # type: ignore[attr-defined]
            return _kept[0]
    _kept[:] = [build_parser(lang)]
    return _kept[0]


def build_parser(lang: str | Callable[[], str] = "en") -> argparse.ArgumentParser:
    """The parser; its --help, usage and errors in ``lang`` (docs and completion scripts
    use the English); a callable is asked only when such a line is printed."""
    from nemochat.cli_help import Parser, decorate

    parser = Parser(prog="nemochat", description="Chat with an AI video agent from your terminal.")
    parser.add_argument("--version", action="version", version=f"nemochat {__version__}", help="print the version and exit")
    global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in COMMANDS:
        p = sub.add_parser(spec.name, help=spec.help, description=spec.help)
        spec.arguments(p)
        global_options(p, suppress=True)
    decorate(parser, lang)  # examples, environment, exit codes; each command's description and examples
    return parser
