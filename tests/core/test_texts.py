"""The message catalogue (issue 12, item 7): every message nemochat writes
has an English and a Chinese form. A key, a tool label or a command's help
missing in either language fails here, as does a placeholder one side lacks."""

from __future__ import annotations

import string

import pytest

from nemochat.core import texts, tool_labels
from nemochat.repl import texts as repl_texts
from nemochat.repl.commands import BUILTIN


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("tables", [texts.CATALOGUE, repl_texts._TEXTS], ids=["core", "repl"])
def test_both_languages_have_every_key_with_the_same_placeholders(tables):
    en, zh = tables["en"], tables["zh"]
    assert set(en) - set(zh) == set(), "missing in Chinese"
    assert set(zh) - set(en) == set(), "missing in English"
    assert {k: placeholders(v) for k, v in zh.items()} == {k: placeholders(v) for k, v in en.items()}
    assert all(value.strip() for value in (*en.values(), *zh.values()))


def test_every_known_tool_and_every_command_has_both_languages():
    assert set(tool_labels.KNOWN_ZH) == set(tool_labels.KNOWN_EN)
    for name in tool_labels.KNOWN_EN:
        assert bool(tool_labels.KNOWN_EN[name].expected) == bool(tool_labels.KNOWN_ZH[name].expected), name
    assert {c.name for c in BUILTIN} - set(texts.HELP_ZH) == set(), "a command without its Chinese /help line"
    for command in BUILTIN:
        assert texts.command_help("en", command.name, command.help) == command.help
        assert texts.command_help("zh", command.name, command.help) == texts.HELP_ZH[command.name]


def test_say_formats_falls_back_and_refuses_an_unknown_key():
    assert texts.say("zh-CN", "credits_available", available="90") == "可用 90"
    assert texts.say("fr", "credits_available", available="90") == "90 available"
    assert texts.say("zh", "help.plugin", default="a plugin's help") == "a plugin's help"
    with pytest.raises(KeyError):
        texts.say("en", "no.such.key")
