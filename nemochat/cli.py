"""The command line: parse argv, run one command, map errors to exit codes.

Nothing else lives here. Commands are a registry (name → arguments → the
function that runs it), imported only when chosen, so ``nemochat --version``
imports nothing heavy. Global options work before or after the command.
"""

from __future__ import annotations

import sys

from nemochat import __version__

TYPE_CHECKING = False  # (not typing's: even `typing` costs --version 10%)
if TYPE_CHECKING:  # argparse and the rest are imported when a command needs them, not for --version
    import argparse
    from collections.abc import Callable, Sequence


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
    p.add_argument("text", nargs="+", help='what to say ("-" reads it from stdin)')


def _replay_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a recorded .sse stream")


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
    key.complete_words = "nemochat.store.config_file:config_keys"  # type: ignore[attr-defined]  # read by `completion` only
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
    CommandSpec("preview", "a video's keyframes as a contact sheet (FILE, or --last)", "nemochat.preview.command:run", _lazy("nemochat.preview.command:preview_args")),
    CommandSpec("sim", "run the simulator of every backend in the foreground", "nemochat.commands.sim:run", _sim_args),
]


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The contract's global options; ``suppress`` keeps a subcommand from
    resetting a value given before the command, and from listing them again
    in its --help (they are listed once, in ``nemochat --help``)."""
    import argparse

    d = argparse.SUPPRESS if suppress else None
    flag = argparse.SUPPRESS if suppress else False
    g = parser.add_argument_group("global options")

    def add(*flags: str, help: str, **kw: object) -> None:
        g.add_argument(*flags, help=argparse.SUPPRESS if suppress else help, **kw)  # type: ignore[arg-type]

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


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="nemochat", description="Chat with an AI video agent from your terminal.")
    parser.add_argument("--version", action="version", version=f"nemochat {__version__}", help="print the version and exit")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in COMMANDS:
        p = sub.add_parser(spec.name, help=spec.help, description=spec.help)
        spec.arguments(p)
        _global_options(p, suppress=True)
    from nemochat.cli_help import decorate

    decorate(parser)  # examples, environment, exit codes; each command's description and examples
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # the fast path: no argparse help building, no imports
        print(f"nemochat {__version__}")
        return 0
    import importlib
    import os

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # argparse: usage errors exit 2, --help exits 0
        return int(exit.code or 0)
    _never_fail_printing()
    bad = _not_utf8(args)
    if bad:
        print(f"nemochat: {bad} is not valid UTF-8: check your terminal's or script's encoding", file=sys.stderr)
        return 2
    spec = next((s for s in COMMANDS if s.name == args.command), None)
    target = spec.target if spec else "nemochat.commands.repl:run"
    module_name, func_name = target.split(":")
    debug = bool(getattr(args, "debug", False))
    try:
        command = getattr(importlib.import_module(module_name), func_name)
        code = int(command(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nemochat jobs | head`: the reader left, which is not an error
        _silence_stdout()
        return 0
    except Exception as exc:  # the last line of defence: one line, no traceback
        from nemochat.errors import NemochatError, local_error

        exc = local_error(exc) or exc
        if isinstance(exc, NemochatError):
            print(f"nemochat: {exc.message}", file=sys.stderr)
            return exc.exit_code
        if "nemochat.debug_log" in sys.modules:  # a debug log is open: the traceback goes there too
            sys.modules["nemochat.debug_log"].log_exception(exc)
        if debug or os.environ.get("NEMOCHAT_DEBUG"):
            raise
        print(f"nemochat: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1


# Arguments that name files: any bytes the file system allows are fine there.
_PATH_ARGUMENTS = frozenset({"items", "output", "record", "file", "image_url", "shots_json"})


def _not_utf8(args: argparse.Namespace) -> str | None:
    """The first text argument that came as bytes that are not UTF-8 (Python
    keeps them as lone surrogates, which nothing can send or print)."""
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if name not in _PATH_ARGUMENTS and isinstance(item, str) and not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return "--" + name.replace("_", "-") if name not in ("text", "key", "value") else f"the {name}"
    return None


def _never_fail_printing() -> None:
    """A file name that is not UTF-8 (a path the user gave) is printed with
    U+FFFD rather than crashing the print: server text is sanitized before."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):  # not a text file (a test's capture), or closed
            pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
