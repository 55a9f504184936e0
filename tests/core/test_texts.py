"""The message catalogue: every message nemochat writes
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


def test_every_catalogue_key_the_code_uses_exists():
    """A ``key="K"`` given to an error (``error.K``) or a notice (``K``), a
    ``say(lang, "K")`` and a REPL ``text(lang, "K")`` name a message of the
    catalogue, which the test above holds to both languages."""
    import re
    from pathlib import Path

    known, repl_known = set(texts.CATALOGUE["en"]), set(repl_texts._TEXTS["en"])
    keyed, said, told = set(), set(), set()
    for source in Path(texts.__file__).parents[1].rglob("*.py"):
        code = source.read_text(encoding="utf-8")
        keyed |= set(re.findall(r'\bkey="([a-z_.]+)"(?!\s*\+)', code)) | set(re.findall(r'\bSaid\.of\("([a-z_.]+)"(?!\s*\+)', code))
        said |= {k for k in re.findall(r'\bsay\([^,()]*lang[^,()]*, "([a-z_.]+)"(?!\s*\+)', code)}
        told |= set(re.findall(r'\btext\([^,()]*lang[^,()]*, "([a-z_]+)"(?!\s*\+)', code))
    assert {"stream.dropped", "still_working", "usage.flags", "notice.slow_down"} <= keyed  # the scan sees them
    assert {k for k in keyed if k not in known and "error." + k not in known} == set()
    assert said - known == set()
    assert told - repl_known == set()


def test_a_keyed_error_speaks_chinese_in_a_view_and_english_in_its_message():
    from nemochat.clients.http import error_for
    from nemochat.errors import NetworkError

    limited = error_for(429, None, None, "Sending your message")
    assert limited.message == "Sending your message: rate limited"  # what --json and logs carry
    assert limited.say("zh") == ("发送你的消息:请求太频繁,被限流了", "")
    assert limited.say("en") == (limited.message, "")
    down = NetworkError("Reading credits: could not connect to h", action="Check.", key="network.connect", what="Reading credits", host="h")
    assert down.say("zh") == ("读取积分:无法连接 h", texts.CATALOGUE["zh"]["error.network.connect.action"])
    unkeyed = NetworkError("plain", action="act")
    assert unkeyed.say("zh") == ("plain", "act")


def test_argparse_complaints_in_chinese():
    from nemochat.app.provider_flags import parse_chat_command
    from nemochat.errors import UsageError

    with pytest.raises(UsageError) as bad:
        parse_chat_command("sora2", ["submit", "--bogus"])
    message, _ = bad.value.say("zh")
    assert "无法识别的参数:--bogus" in message and "unrecognized" not in message
    assert "unrecognized arguments" in bad.value.message


def test_errors_built_from_parts_speak_chinese_throughout():
    """The parts of a message nemochat put together (a refusal code's advice, a
    network error's reason and retries, a rule's nested line) are Chinese too."""
    import httpx

    from nemochat.clients.http import network_error
    from nemochat.clients.nanophoto import nanophoto_error, unreachable

    refused = nanophoto_error(400, {"errorCode": "PROMPT_REQUIRED", "error": "prompt is empty"}, None, "Submitting to Sora 2")
    assert refused.say("zh") == ("提交到 Sora 2:NanoPhoto 拒绝了这个请求:prompt is empty", "请提供提示词。")
    request = httpx.Request("GET", "https://api.example/x")
    cause = httpx.ConnectError("refused", request=request)
    cause.__cause__ = ConnectionRefusedError()
    down = network_error(cause, "Reading credits", tries=3)
    assert down.message == "Reading credits: could not connect to api.example (connection refused; tried 3 times)"
    assert down.say("zh")[0] == "读取积分:无法连接 api.example(连接被拒绝,已尝试 3 次)"
    provider = unreachable(cause, "Checking the Sora 2 task", httpx.AsyncClient(base_url="https://nanophoto.example"), "NANOPHOTO_API_URL")
    assert provider.say("zh")[1] == "请检查网络连接和 NANOPHOTO_API_URL,当前为 https://nanophoto.example。"
    assert provider.say("en")[1] == "Check your connection and NANOPHOTO_API_URL, now https://nanophoto.example."


def test_what_a_silent_turn_changed_is_said_in_the_views_language():
    from nemochat.core.draft import Segment, Timeline, Track, diff_timelines

    before = Timeline((Track("video", None, (Segment(0, 5000, "Intro"),)),), 5000, "Rain")
    after = Timeline((Track("video", None, (Segment(0, 5000, "Intro"), Segment(5000, 10000, "Neon"))),
                      Track("audio", None, (Segment(0, 10000, "Lo-fi", 0.35),))), 10000, "Tokyo")
    changes = diff_timelines(before, after)
    assert changes == ("title 'Rain' → 'Tokyo'", "changed the video track: added 'Neon' 5-10 s",
                       "added an audio track: 'Lo-fi' 0-10 s at 35%", "total duration 5 s → 10 s")  # what the ledger and --json keep
    assert [texts.said_in("zh", c) for c in changes] == [
        "标题 'Rain' → 'Tokyo'", "修改了视频轨道:新增 'Neon' 5-10 秒", "新增了音频轨道:'Lo-fi' 0-10 秒,音量 35%", "总时长 5 秒 → 10 秒"]
