"""What ``--help`` says beyond each flag's own line: examples, the
environment, the exit codes; and docs/cli-reference.md, generated from the
same parser (``python -m nemochat.cli_help > docs/cli-reference.md``; a test
checks the committed file is what this prints, so it never drifts).

Imported only when a parser is built (never for ``--version``).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from typing import NoReturn

from nemochat.core.help_texts import help_in, speak

ENVIRONMENT = (
    ("NEMO_API_URL, NEMO_TOKEN, NEMO_SESSION, NEMO_LANG", "the same as --api-base, --token, --session, --lang"),
    ("NEMO_CLIENT_ID", "the client id (else the one shared with NemoVideo's tools)"),
    ("NANOPHOTO_API_KEY, NANOPHOTO_API_URL", "Sora 2 / Veo 3.1 through NanoPhoto"),
    ("SORA_GATEWAY_URL, SORA_GATEWAY_KEY", "an OpenAI-style video gateway"),
    ("NEMOCHAT_<SETTING>", "any setting, e.g. NEMOCHAT_EXPORT_DEADLINE=900 (`nemochat config show` lists them)"),
    ("NEMOCHAT_CONFIG", "another config file"),
    ("HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY", "proxies (or: nemochat config set proxy URL)"),
    ("SSL_CERT_FILE, SSL_CERT_DIR", "trusted CAs (or: nemochat config set ca_bundle FILE)"),
    ("NO_COLOR", "no colours"),
)

EXIT_CODES = (
    ("0", "done"),
    ("1", "an unexpected error (a bug): --debug shows the traceback"),
    ("2", "bad usage or bad input"),
    ("3", "authentication failed"),
    ("4", "not enough credits, or the plan does not allow it"),
    ("5", "the backend or the network failed (after the retries that are safe)"),
    ("130", "interrupted (Ctrl-C)"),
)

EXAMPLES = {
    "": (
        ("nemochat --demo", "try everything against the built-in simulator (no account, no network)"),
        ("nemochat", "the chat (REPL)"),
        ('nemochat ask "make a 10s rainy Tokyo clip"', "one turn, then exit"),
        ("nemochat export -o ~/Videos/", "render, wait, download the MP4"),
        ('nemochat sora submit --prompt "a fox in the snow" --follow', "Sora 2 directly"),
        ("nemochat --json credits", "one JSON object per line, for scripts"),
        ("nemochat sora submit --help", "a command's own options"),
    ),
    "ask": (('nemochat ask "add lo-fi music"', ""), ("echo 积分 | nemochat ask -", "the text from stdin")),
    "export": (("nemochat export -o ~/Videos/", "into a folder, under the default name"),
               ("nemochat export --render-id r_123", "fetch a render already started")),
    "upload": (("nemochat upload clip.mov https://example.com/b-roll.mp4", ""),),
    "log": (("nemochat log --markdown > tokyo.md", ""), ("nemochat log --session 3cbddc80 --last 2", "")),
    "jobs": (("nemochat jobs --kind sora2 --open", ""),),
    "config": (("nemochat config show", "every value and where it comes from"), ("nemochat config set lang zh", ""),
               ("nemochat config unset lang", "")),
    "completion": (("source <(nemochat completion bash)", "in ~/.bashrc"), ("source <(nemochat completion zsh)", "in ~/.zshrc, after compinit"),
                   ("nemochat completion fish > ~/.config/fish/completions/nemochat.fish", "")),
    "replay": (("nemochat replay fixtures/sse/adk_partial_final.sse", ""),),
    "sim": (("nemochat sim --port 8765", "then: nemochat --api-base http://127.0.0.1:8765"),),
    "preview": (("nemochat preview clip.mp4", "six keyframes and one line; the sheet saved as clip.preview.png"),
                ("nemochat preview --last --json", "the last video nemochat saved, for scripts")),
    "sora submit": (('nemochat sora submit --prompt "a fox in the snow" --follow', ""),
                    ('nemochat sora submit --prompt "make it move" --mode imageToVideo --image-url https://example.com/fox.png', "")),
    "sora status": (("nemochat sora status --follow", "the newest open Sora job"),),
    "veo submit": (("""nemochat veo submit --shots-json '[{"id": "s1", "prompt": "a beach", "generationType": "TEXT_2_VIDEO", "aspectRatio": "16:9"}]'""", ""),),
    "veo status": (("nemochat veo status --follow", "the newest open Veo job"),),
    "gateway submit": (('nemochat gateway submit --prompt "a fox in the snow" --orientation landscape --follow', ""),),
    "gateway status": (("nemochat gateway status --id task_123", ""),),
}

GLOBALS_NOTE = "The global options (--json, --demo, --yes, --api-base, ...: see `nemochat --help`) work here too."


def main_epilog(lang: str = "en") -> str:
    return "\n\n".join([
        _section("examples", EXAMPLES[""], lang),
        _section("environment", ENVIRONMENT, lang),
        _section("exit codes", EXIT_CODES, lang),
        help_in(lang, "Full reference: docs/cli-reference.md; the contract: docs/cli-contract.md."),
    ])


def decorate(parser: argparse.ArgumentParser, lang: str | Callable[[], str] = "en") -> None:
    """Give ``parser`` its epilog, and every command under it (nested ones
    too) a description, its examples and the note on global options; all in
    ``lang``, argparse's own words too (``speak``). A callable ``lang`` is asked
    only when a line is printed (--help, a usage error): a command that parses
    fine never looks for its language here."""
    parser.epilog, parser.help_epilog = main_epilog(), main_epilog  # type: ignore[attr-defined]
    for path, sub, help in commands(parser):
        sub.description = sub.description or help
        sub.epilog, sub.help_epilog = _epilog(path, sub), functools.partial(_epilog, path, sub)  # type: ignore[attr-defined]
    if callable(lang):
        for p in [parser, *(sub for _, sub, _ in commands(parser))]:
            p.language = lang  # type: ignore[attr-defined]
    else:
        speak(parser, lang)


def _epilog(path: str, parser: argparse.ArgumentParser, lang: str = "en") -> str:
    examples = EXAMPLES.get(path)
    return "\n\n".join(([_section("examples", examples, lang)] if examples else []) + ([help_in(lang, GLOBALS_NOTE)] if not _has_commands(parser) else []))


class Parser(argparse.ArgumentParser):
    """argparse that says its own lines (the usage, an error) in the parser's ``lang``;
    ``language``, when set (``decorate``), is asked for it before the first line is printed."""

    lang = "en"
    language: Callable[[], str] | None = None

    def _speak(self) -> None:
        if self.language is not None:
            speak(self, self.language())

    def format_usage(self) -> str:
        self._speak()
        return super().format_usage()

    def format_help(self) -> str:
        self._speak()
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self._speak()
        if not self.lang.startswith("zh"):
            super().error(message)
        from nemochat.core.error_texts import argparse_words

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {help_in(self.lang, 'error: ')}{argparse_words('zh', message)}\n")


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, argparse.ArgumentParser, str]]:
    """Every command under ``parser`` as (path, parser, one-line help), nested ones after their parent."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                out.append((path, sub, helps.get(name, "")))
                out += commands(sub, path)
    return out


def _has_commands(parser: argparse.ArgumentParser) -> bool:
    return any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def _section(title: str, rows: tuple[tuple[str, str], ...], lang: str = "en", *, column: int = 30) -> str:
    """``title:`` then one row per line; a left side wider than ``column`` puts its text on the next line."""
    width = max((len(left) for left, _ in rows if len(left) <= column), default=0) + 2
    lines = [f"{help_in(lang, title)}:"]
    rows = tuple((left, help_in(lang, right) if right else right) for left, right in rows)
    for left, right in rows:
        if not right:
            lines.append(f"  {left}")
        elif len(left) > column:
            lines += [f"  {left}", f"  {'':{width}}{right}"]
        else:
            lines.append(f"  {left:{width}}{right}")
    return "\n".join(lines)


# -- docs/cli-reference.md ----------------------------------------------------------------------


def reference_markdown(parser: argparse.ArgumentParser) -> str:
    """The whole command line as Markdown: independent of the terminal's width
    and of the Python version's help layout, so the committed file is stable."""
    out = [
        "# nemochat command-line reference",
        "",
        "Generated from the parser by `python -m nemochat.cli_help > docs/cli-reference.md`",
        "(a test fails when this file and the parser disagree). The contract behind it,",
        "with the `--json` lines and where output goes, is [cli-contract.md](cli-contract.md).",
        "",
        "## nemochat",
        "",
        parser.description or "",
        "",
        "Usage: `nemochat [GLOBAL OPTIONS] [COMMAND] ...` (no command: the chat).",
        "Global options work before or after the command.",
        "",
        *_options_table(parser, global_only=True),
        "",
        "### Examples",
        "",
        *_examples_block(EXAMPLES[""]),
        "",
        "### Environment",
        "",
        "| variable | meaning |",
        "|---|---|",
        *(f"| `{name}` | {_cell(text)} |" for name, text in ENVIRONMENT),
        "",
        "### Exit codes",
        "",
        "| code | meaning |",
        "|---|---|",
        *(f"| {code} | {_cell(text)} |" for code, text in EXIT_CODES),
        "",
        "## Commands",
        "",
        "| command | what it does |",
        "|---|---|",
        *(f"| [`{path}`](#{_anchor(path)}) | {_cell(help)} |" for path, _, help in commands(parser)),
    ]
    for path, sub, help in commands(parser):
        out += ["", f"## nemochat {path}", "", _cell(sub.description or help), ""]
        positionals = [a for a in sub._actions if not a.option_strings and not isinstance(a, argparse._SubParsersAction)]
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            out += ["Commands: " + ", ".join(f"[`{path} {name}`](#{_anchor(f'{path} {name}')})" for name in nested[0].choices), ""]
        if positionals:
            out += ["| argument | meaning |", "|---|---|"]
            out += [f"| `{_metavar(a)}` | {_cell(_help_text(a))} |" for a in positionals]
            out.append("")
        table = _options_table(sub, global_only=False)
        if len(table) > 2:
            out += [*table, ""]
        if path in EXAMPLES:
            out += ["Examples:", "", *_examples_block(EXAMPLES[path]), ""]
        while out[-1] == "":
            out.pop()
    return "\n".join(out) + "\n"


def _options_table(parser: argparse.ArgumentParser, *, global_only: bool) -> list[str]:
    rows = ["| option | meaning |", "|---|---|"]
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        if not global_only and "--help" in action.option_strings:
            continue
        flags = ", ".join(f"`{flag}{' ' + _metavar(action) if action.nargs != 0 else ''}`" for flag in action.option_strings)
        rows.append(f"| {flags} | {_cell(_help_text(action))} |")
    return rows


def _metavar(action: argparse.Action) -> str:
    if action.metavar:
        return str(action.metavar)
    if action.choices and action.option_strings:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def _help_text(action: argparse.Action) -> str:
    text = " ".join(str(action.help or "").split()).replace("%(default)s", str(action.default)).replace("%%", "%")
    if action.choices and not action.option_strings:
        text += " (" + ", ".join(str(c) for c in action.choices) + ")"
    return text


def _examples_block(rows: tuple[tuple[str, str], ...]) -> list[str]:
    return ["```sh", *(f"{left}{'   # ' + right if right else ''}" for left, right in rows), "```"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(path: str) -> str:
    return "nemochat-" + path.replace(" ", "-").replace(".", "")


if __name__ == "__main__":
    import sys

    from nemochat.commands.parser import build_parser

    sys.stdout.write(reference_markdown(build_parser()))
