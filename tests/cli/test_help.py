"""--help you can work from: every command and flag
says what it is, enumerated flags list their values, the global options are
listed once, `nemochat --help` ends with examples, the environment and the
exit codes, and docs/cli-reference.md is what the parser says."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from nemochat.cli import main
from nemochat.commands.parser import build_parser
from nemochat.cli_help import commands, reference_markdown

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli-reference.md"
GLOBAL_ONLY = ("--token", "--session", "--lang", "--record", "--poll-interval", "--no-fallback", "--verbose", "--debug")


def help_of(capsys, monkeypatch, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", "100")
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def test_every_command_and_flag_has_help_text():
    parser = build_parser()
    parsers = [("nemochat", parser, "x")] + commands(parser)
    assert len(parsers) > 20  # the commands, and sora/veo/gateway's submit and status
    missing = []
    for path, sub, help in parsers:
        if not (help and sub.description):
            missing.append(f"{path}: no description")
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
                continue
            if not (action.help or "").strip():
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_sora_submit_help_reads_as_a_reference(capsys, monkeypatch):
    text = help_of(capsys, monkeypatch, "sora", "submit")
    assert "submit a Sora 2 video" in text
    assert "--prompt TEXT         what the video shows" in text
    assert "--mode {textToVideo,imageToVideo}" in text and "--aspect-ratio {portrait,landscape}" in text
    assert "examples:\n  nemochat sora submit --prompt" in text
    assert "config" not in text.split("--api-key", 1)[1].split("\n")[0]  # the config refuses secrets: not offered


@pytest.mark.parametrize("command", [["ask"], ["export"], ["sora", "submit"], ["veo", "status"], ["config"]])
def test_a_subcommand_lists_the_global_options_once_by_reference(capsys, monkeypatch, command):
    text = help_of(capsys, monkeypatch, *command)
    assert [flag for flag in GLOBAL_ONLY if flag in text] == []
    assert "see `nemochat --help`" in text


def test_enumerated_flags_have_choices():
    parser = build_parser()
    found = {path: {a.option_strings[-1]: tuple(a.choices or ()) for a in sub._actions if a.option_strings} for path, sub, _ in commands(parser)}
    assert found["sora submit"]["--mode"] == ("textToVideo", "imageToVideo")
    assert found["sora submit"]["--model-tier"] == ("sora2", "sora2-pro-standard", "sora2-pro-high")
    assert found["sora submit"]["--aspect-ratio"] == ("portrait", "landscape")
    assert found["sora submit"]["--video-duration"] == ("10", "15")
    assert found["veo submit"]["--resolution"] == ("720p", "1080p", "4k")
    assert found["gateway submit"]["--model"] == ("sora-2", "sora-2-pro")
    assert found["gateway submit"]["--size"] == ("small", "large")
    assert found["export"]["--quality"] == ("low", "medium", "high")


def test_main_help_ends_with_examples_environment_and_exit_codes(capsys, monkeypatch):
    text = help_of(capsys, monkeypatch)
    examples, environment, codes = (text.index(f"\n{title}:\n") for title in ("examples", "environment", "exit codes"))
    assert text.index("global options:") < examples < environment < codes
    assert "nemochat --demo" in text[examples:environment]
    assert "NANOPHOTO_API_KEY" in text[environment:codes] and "HTTPS_PROXY" in text[environment:codes]
    assert "130  interrupted" in text[codes:] and "5    the backend or the network failed" in text[codes:]
    for flag in GLOBAL_ONLY:
        assert text.count(flag + " ") + text.count(flag + "\n") >= 1  # listed here, once


def test_the_committed_cli_reference_is_what_the_parser_says():
    expected = reference_markdown(build_parser())
    assert REFERENCE.read_text(encoding="utf-8") == expected, "run: python -m nemochat.cli_help > docs/cli-reference.md"
    for path, _, _ in commands(build_parser()):
        assert f"\n## nemochat {path}\n" in expected


def test_a_parser_kept_between_runs_speaks_each_runs_language(capsys, monkeypatch):
    """main() keeps its parser for the next call in the process; a run that printed
    Chinese help (translated in place) leaves none of it to the next English one."""
    from nemochat import cli

    monkeypatch.setenv("COLUMNS", "100")
    for lang, heard, not_heard in (("en", "submit a Sora 2 video", "提交"), ("zh", "用法", "usage:"),
                                   ("en", "submit a Sora 2 video", "用法"), ("en", "usage:", "用法")):
        assert cli.main(["--lang", lang, "sora", "submit", "--help"]) == 0
        out = capsys.readouterr().out
        assert heard in out and not_heard not in out, (lang, out[:300])
    assert cli.main(["--lang", "zh", "sora", "submit", "--bogus"]) == 2
    assert "错误" in capsys.readouterr().err
    assert cli.main(["sora", "submit", "--bogus"]) == 2
    assert "error:" in capsys.readouterr().err
