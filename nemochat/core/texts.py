"""The message catalogue: what nemochat itself writes, in English and Chinese
(``--lang``/``NEMO_LANG``), and how a line of it is said.

``CATALOGUE`` is assembled here from its tables: ``view_texts.py`` (the views',
jobs' and sessions' lines), ``error_texts*.py`` (errors and notices),
``rule_texts.py`` (the Sora/Veo/gateway rules), ``cli_texts.py`` (the command
line's). ``say(lang, key, **values)`` formats one message; ``Said`` is an
English line that keeps its key, so a view can say it again in its language;
``command_help`` gives a slash command's /help line. A key missing in a
language is a bug that tests/core/test_texts.py finds (both tables must
have the same keys and the same ``{placeholders}``). The REPL's greeting
and hints are in ``repl/texts.py``, checked by the same test.
"""

from __future__ import annotations

from collections.abc import Mapping

from nemochat.core import cli_texts, error_texts, error_texts_app, error_texts_clients, rule_texts, view_texts
from nemochat.core.error_texts import argparse_words


def _assembled(lang: str) -> dict[str, str]:
    """Every table's lines in ``lang``, and the errors' phrases as ``doing.PHRASE``."""
    tables = (view_texts.TEXTS, error_texts.ERRORS, error_texts_clients.ERRORS, error_texts_app.ERRORS, error_texts_app.NOTICES,
              cli_texts.ERRORS, cli_texts.TEXTS, rule_texts.ERRORS, rule_texts.TEXTS)
    lines = {key: words for table in tables for key, words in table[lang].items()}
    return lines | {"doing." + english: words for english, words in error_texts.DOING[lang].items()}


CATALOGUE: dict[str, dict[str, str]] = {lang: _assembled(lang) for lang in view_texts.TEXTS}


# /help in Chinese: each built-in command's line (English is the registry's own, repl/commands.py).
HELP_ZH: dict[str, str] = {
    "credits": "你的积分余额",
    "status": "项目的时间线:轨道、片段、时长",
    "export": "渲染视频并下载 MP4(在后台进行)",
    "upload": "把本地文件或公开链接添加到项目",
    "sora": '直接使用 Sora 2,例如 /sora submit --prompt "冲浪的猫"(/sora submit --help 查看参数)',
    "veo": '直接使用 Veo 3.1,例如 /veo submit --prompt "冲浪的猫"(/veo submit --help 查看参数)',
    "gateway": 'OpenAI 风格的视频网关,例如 /gateway submit --prompt "冲浪的猫"',
    "session": "当前会话;`new` 开始新会话,填 ID 重新打开一个",
    "sessions": "你在这里用过的会话,最新的在前",
    "jobs": "后台任务(导出、视频)及其进度;`cancel N` 停止一个",
    "preview": "视频的关键帧:上一个视频、某个任务的(/preview 3)或某个文件的",
    "open": "播放上次导出的视频,否则在浏览器中打开项目",
    "thoughts": "显示或隐藏智能体的思考过程(淡色,与回答分开)",
    "clear": "清屏",
    "help": "本列表;/help 命令 查看单个命令",
    "quit": "退出(Ctrl-D 也可以)",
}


def lang_of(code: str | None) -> str:
    return "zh" if (code or "").lower().startswith("zh") else "en"


def say(lang: str | None, key: str, default: str | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (English when the language has none);
    ``default`` for keys that may not exist (a command added by a plugin)."""
    table = CATALOGUE[lang_of(lang)]
    template = table.get(key) or CATALOGUE["en"].get(key)
    if template is None:
        if default is None:
            raise KeyError(key)
        return default.format(**phrased(lang, values)) if values else default
    if not values and "{" not in template:  # (most lines: the toolbar's words, on every redraw)
        return template
    return template.format_map(_Blank(phrased(lang, values)))


class _Blank(dict):  # type: ignore[type-arg]
    """A value a message names and its error did not give (an optional part: the proxy) is said as nothing."""

    def __missing__(self, name: str) -> str:
        return ""


def phrased(lang: str | None, values: Mapping[str, object]) -> Mapping[str, object]:
    """``values`` with what nemochat itself put there in ``lang``: a catalogue line
    (``Said``), a list of them, an error; in Chinese also its phrases ("Sending your
    message", "the video URL", "5 minutes"). Anything else (a server's words) as is."""
    import re

    zh = lang_of(lang) == "zh"
    table = CATALOGUE[lang_of(lang)]

    def one(value: object) -> object:
        if isinstance(value, Said) and value.key:
            return said_in(lang, value)
        if isinstance(value, tuple):  # a list: "'Intro' 0-5 s, 'Rain' 5-10 s"
            return ("," if zh else ", ").join(str(one(v)) for v in value)
        if hasattr(value, "say"):  # an error named in the message
            return value.say(lang)[0]
        if not zh or not isinstance(value, str):
            return value
        if "doing." + value in table:
            return table["doing." + value]
        if (time := re.fullmatch(r"(\d+(?:\.\d+)?) (minutes?|s)", value)) is not None:
            return f"{time[1]} {table['unit.' + time[2].rstrip('s') if time[2] != 's' else 'unit.s']}"
        return value

    return {name: one(value) for name, value in values.items()}


class Said(str):
    """An English line that also names its catalogue message (``key``, ``values``),
    for code that passes plain strings along (a client's ``notify``)."""

    key: str = ""
    values: tuple[tuple[str, object], ...] = ()  # strings, or a catalogue line, a list of them, an error

    @classmethod
    def of(cls, key: str, **values: object) -> Said:
        said = cls(say("en", key, None, **values))
        # (a catalogue line, a list of them or an error among the values is kept as is: a view says it in its language)
        said.key = key
        said.values = tuple((k, v if isinstance(v, (Said, tuple)) or hasattr(v, "say") else str(v)) for k, v in values.items())
        return said


def said_in(lang: str | None, text: str) -> str:
    """``text`` in ``lang`` when it is a catalogue line (``Said``), else as it is."""
    key = getattr(text, "key", "")
    return say(lang, key, **dict(text.values)) if key else text  # type: ignore[attr-defined]


def command_help(lang: str | None, name: str, english: str) -> str:
    """A slash command's /help line: the registry's English, else its translation."""
    return HELP_ZH.get(name, english) if lang_of(lang) == "zh" else english


def say_error(lang: str | None, key: str, values: dict[str, str], message: str, action: str, action_key: str = "") -> tuple[str, str]:
    """An error's line and advice in ``lang``: ``error.KEY`` (and ``error.KEY.action``,
    or ``error.ACTION_KEY`` when the advice was given apart, when the error has advice)
    from the catalogue; the English ones when not keyed. ``what`` (the step that
    failed: "Sending your message") is translated too."""
    if not key or lang_of(lang) == "en":
        return message, action
    table = CATALOGUE[lang_of(lang)]
    if "error." + key not in table:
        return message, action
    values = {name: str(value) for name, value in phrased(lang, values).items()}  # the step that failed, who answered
    if "problem" in values:
        values = {**values, "problem": argparse_words(lang_of(lang), values["problem"])}
    advice = table.get(f"error.{action_key}" if action_key else f"error.{key}.action", action) if action else ""
    return say(lang, "error." + key, **values), advice.format(**values) if advice is not action else advice

