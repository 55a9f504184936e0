"""The command line: parse argv, run one command, map errors to exit codes.

Nothing else lives here. The commands are a registry
(``commands/parser.py``: name → arguments → the function that runs it),
imported only when chosen, so ``nemochat --version`` imports nothing heavy.
Global options work before or after the command.
"""

from __future__ import annotations

import io
import sys

from nemochat import __version__

TYPE_CHECKING = False  # (not typing's: even `typing` costs --version 10%)
if TYPE_CHECKING:  # argparse and the rest are imported when a command needs them, not for --version
    import argparse
    from collections.abc import Sequence
    from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # the fast path: no argparse help building, no imports
        print(f"nemochat {__version__}")
        return 0
    import importlib
    import os

    from nemochat.commands.parser import COMMANDS, parser_asking
    from nemochat.core.texts import say

    parser = parser_asking(lambda: lang_before_parsing(argv))  # asked only for --help or a usage error
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # argparse: usage errors exit 2, --help exits 0
        return int(exit.code or 0)
    _never_fail_printing()
    bad = _not_utf8(args)
    if bad:
        print("nemochat: " + say(_lang(args), "cli.not_utf8", what=bad), file=sys.stderr)
        return 2
    spec = next((s for s in COMMANDS if s.name == args.command), None)
    target = spec.target if spec else "nemochat.commands.repl:run"
    module_name, func_name = target.split(":")
    debug = bool(getattr(args, "debug", False))
    try:
        command = getattr(importlib.import_module(module_name), func_name)
        code = int(_run(command, args, demo_hints=spec is not None and bool(getattr(args, "demo", False))) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except KeyboardInterrupt:
        print(say(_lang(args), "interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nemochat jobs | head`: the reader left, which is not an error
        _silence_stdout()
        return 0
    except Exception as exc:  # the last line of defence: one line, no traceback
        from nemochat.errors import NemochatError, local_error

        exc = local_error(exc) or exc
        if isinstance(exc, NemochatError):
            print(f"nemochat: {exc.say(_lang(args))[0]}", file=sys.stderr)
            return exc.exit_code
        if "nemochat.debug_log" in sys.modules:  # a debug log is open: the traceback goes there too
            sys.modules["nemochat.debug_log"].log_exception(exc)
        if debug or os.environ.get("NEMOCHAT_DEBUG"):
            raise
        print("nemochat: " + say(_lang(args), "cli.unexpected", error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1


def _lang(args: argparse.Namespace) -> str | None:
    """The language of the last lines (an error): --json speaks English, else the settings' (--lang,
    NEMO_LANG, the config file, the locale); a config file too broken to read leaves --lang or NEMO_LANG."""
    if getattr(args, "json", False):
        return "en"
    return lang_before_parsing(["--lang", args.lang] if getattr(args, "lang", None) else [])


def lang_before_parsing(argv: Sequence[str]) -> str:
    """The language ``argv`` asks for (``--lang X``/``--lang=X``), else the settings' (NEMO_LANG,
    the config file, the locale): what argparse's own lines (usage, errors, --help) are said in."""
    import os

    flag = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None)
    flag = flag or next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"), None)
    try:
        from nemochat.settings import Settings

        settings = Settings.load_with_sources(None, check_urls=False, lang=flag) if flag else Settings.load_with_sources(None, check_urls=False)
        return settings[0].lang
    except Exception:  # a config file too broken to read: the flag, the environment
        return flag or os.environ.get("NEMO_LANG") or "en"


def _run(command: Any, args: argparse.Namespace, *, demo_hints: bool) -> Any:
    """``demo_hints``: a one-shot command of the demo, whose hints name
    `nemochat --demo status` (the REPL's say /status)."""
    if not demo_hints:
        return command(args)
    from nemochat.core import cli_words

    token = cli_words.demo.set(True)
    try:
        return command(args)
    finally:
        cli_words.demo.reset(token)


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
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):  # not a text file (a test's capture), or closed
            pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
