"""--help in Chinese: every line the parsers print (each option's help, each
command's description, the epilogs' rows) has its Chinese in core/help_texts.py,
and argparse's own words (usage, headings, errors) are said in Chinese too."""

from __future__ import annotations

import argparse

import pytest

from nemochat import cli, cli_help
from nemochat.cli_help import commands
from nemochat.commands.parser import build_parser
from nemochat.app.provider_flags import chat_parser
from nemochat.core.help_texts import HELP_ZH
from nemochat.core.texts import CATALOGUE


def _lines(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for p in [parser, *(sub for _, sub, _ in commands(parser))]:
        found |= {p.description or "", *(g.title or "" for g in p._action_groups)}
        for action in p._actions:
            found.add(action.help or "")
            if isinstance(action, argparse._SubParsersAction):
                found |= {choice.help or "" for choice in action._choices_actions}
    return found - {"", argparse.SUPPRESS}


def test_every_line_of_help_has_its_chinese():
    parsers = [build_parser(), *(chat_parser(kind) for kind in ("sora2", "veo3.1", "gateway"))]
    lines = set().union(*map(_lines, parsers))
    rows = [*cli_help.ENVIRONMENT, *cli_help.EXIT_CODES, *(row for rows in cli_help.EXAMPLES.values() for row in rows)]
    lines |= {right for _, right in rows if right} | {cli_help.GLOBALS_NOTE}
    assert sorted(lines - set(HELP_ZH)) == []
    assert all(value.strip() for value in HELP_ZH.values())


def test_chinese_help_has_no_english_sentence_left(capsys):
    assert cli.main(["--lang", "zh", "sora", "submit", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法:nemochat sora submit") and "选项:" in out and "提交一个 Sora 2 视频" in out
    for english in ("usage:", "options:", "show this help", "what the video shows", "examples:", "The global options"):
        assert english not in out


def test_english_help_stays_english(capsys):
    assert cli.main(["--lang", "en", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: nemochat") and "Chat with an AI video agent" in out and "exit codes:" in out


@pytest.mark.parametrize("argv, said", [
    (["--lang", "zh", "ask", "--bogus"], "无法识别的参数:--bogus"),
    (["--lang", "zh", "config"], "缺少参数:action"),
    (["--lang", "zh", "jobs", "--kind", "x"], "参数 --kind 的值 'x' 无效"),
])
def test_argparse_errors_in_chinese_from_the_flag_the_environment_or_the_config(capsys, argv, said):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("用法:nemochat") and f"错误:{said}" in err
    assert "usage:" not in err and "error:" not in err


def test_the_language_is_known_before_parsing(monkeypatch, tmp_path):
    monkeypatch.setenv("NEMOCHAT_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("NEMO_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert cli.lang_before_parsing(["--lang=zh-CN", "ask"]) == "zh-CN"
    assert cli.lang_before_parsing(["ask", "--lang", "zh"]) == "zh"
    monkeypatch.setenv("NEMO_LANG", "zh")
    assert cli.lang_before_parsing(["ask"]) == "zh"
    monkeypatch.delenv("NEMO_LANG")
    (tmp_path / "config.toml").write_text('lang = "zh"\n')
    assert cli.lang_before_parsing([]) == "zh"
    (tmp_path / "config.toml").write_text("lang = [broken\n")  # a broken file: the flag, the environment, English
    assert cli.lang_before_parsing([]) == "en"


def test_chat_help_in_chinese():
    from nemochat.app.provider_flags import chat_help

    text = chat_help("veo3.1", "submit", "zh")
    assert "用法:/veo submit" in text and "用这个提示词生成一个 8 秒的镜头" in text and "usage" not in text
    assert CATALOGUE["zh"]  # (the catalogue is loaded alongside)
