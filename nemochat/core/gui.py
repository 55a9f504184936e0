"""Translate the backend's GUI talk for a terminal user.

The agent was written for NemoVideo's web editor, so it says "click the Export
button", "点击导出", "open the media panel", "drag the clip onto the timeline".
A terminal has none of those. `translate_gui` rewrites each such instruction
into what the user can do here, and returns the actions it found so the
shell can offer them:

  click Export / Export button / 点击导出 / 导出按钮  -> "export it (/export)"    export
  preview in the timeline / 在时间线上预览            -> "check the track summary (/status)"  status
  open the X panel / 打开…面板                        -> "check /status"           status
  drag the clip onto the timeline / 拖拽 / 拖动       -> "tell me what to move and I'll do it"  edit
  click [Other] (button)                              -> "ask me to other"         (no action)

One-shot commands (``ask``, ``--json``) translate with ``one_shot=True``:
the commands are then the command line's (`nemochat export`, `nemochat
status`), since there is no /export outside the chat.

Only the matched instruction is replaced; the rest of the text, Markdown
included, is untouched. Replacements never match again, so translating twice
changes nothing.

Limits, by design: a button name needs a "button" word, quotes, bold or a
capital letter ("click Generate"), so "add a click track" is left alone; the
timeline rule needs a viewing verb and a known object ("see it in the
timeline"), so "a camera pan across the timeline of history" is left alone;
"dragging ..." and "drop your files here" are not rewritten.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from nemochat.core import cli_words

__all__ = ["ActionKind", "GuiAction", "Translation", "gui_actions", "may_begin_gui_talk", "translate_gui"]

ActionKind = Literal["export", "status", "edit"]


@dataclass(frozen=True)
class GuiAction:
    kind: ActionKind
    command: str  # the REPL command that does it ("/export", "/status"); "" for edit
    phrase: str  # the backend phrase that triggered it


@dataclass(frozen=True)
class Translation:
    text: str  # rewritten so it no longer tells the user to click/open/drag anything
    actions: tuple[GuiAction, ...]  # de-duplicated by kind, in order of appearance


# What each action reads like in a sentence, and its REPL command.
_EXPORT_EN, _EXPORT_ZH = "export it (/export)", "导出（/export）"
_SUMMARY_EN, _SUMMARY_ZH = "check the track summary (/status)", "查看轨道摘要（/status）"
_PANEL_EN, _PANEL_ZH = "check /status", "用 /status 查看"
_EDIT_EN, _EDIT_ZH = "tell me what to move and I'll do it", "告诉我要移动什么，我来操作"
_COMMANDS: dict[ActionKind, str] = {"export": "/export", "status": "/status", "edit": ""}

# Button names that are really the export or the status action.
_EXPORT_NAMES = frozenset({"export", "download", "export video", "download video", "render", "导出", "下载", "导出视频"})
_STATUS_NAMES = frozenset({"preview", "timeline", "status", "tracks", "预览", "时间线", "时间轴", "状态", "轨道"})

# --- the patterns ---------------------------------------------------------------

_OPEN_QUOTE = r"(?:\*\*|[\"'“‘`*「『])"
_CLOSE_QUOTE = r"(?:\*\*|[\"'”’`*」』])"
_CLICK = r"\b(?i:click|tap|press|hit)(?:\s+on)?\s+(?:(?i:the)\s+)?"
_BUTTON = r"(?:\s+(?i:button|icon|option))"
# "in the top-right corner of the screen": where the button was, meaningless here.
_WHERE = (
    r"(?:\s+(?i:in|at|on)\s+the\s+(?i:top|bottom|upper|lower)(?:[\s-]+(?i:right|left))?"
    r"(?:[\s-]+(?i:corner|side))?(?:\s+of\s+the\s+(?i:screen|page|window|editor|app))?)?"
)
_EXPORT_WORD = rf"{_OPEN_QUOTE}?(?i:export|download)(?:\s+(?i:video))?(?![\w-]){_CLOSE_QUOTE}?"
_SEEN_THING = (
    r"(?:it|this|that|them|everything"
    r"|(?:the|your)\s+(?:video|result|clip|changes?|edits?|draft|project|output|final\s+video|cut))"
)
_NOT_PREPOSITION = r"(?!(?:onto|into|to|on|over|in)\b)"
_ZH_STOP = r"[^，。！？；、,.!?;\n]"  # anything inside one clause

_RULES: list[tuple[str, str]] = [
    # English
    # ("click Export Settings" is another button: left to click_other)
    ("export_click", rf"{_CLICK}{_EXPORT_WORD}(?:{_BUTTON}|(?!\s+[A-Z])){_WHERE}"),
    ("export_button", rf"\b(?:(?i:the)\s+)?{_EXPORT_WORD}{_BUTTON}{_WHERE}"),
    (
        "preview",
        rf"\b(?i:(?:preview|review|view|check|see|watch|play)(?:\s+{_SEEN_THING})?\s+(?:in|on)\s+the\s+"
        rf"(?:timeline|preview\s+(?:panel|window|player)|player)\b|preview\s+the\s+timeline\b)",
    ),
    (
        "open_panel",
        r"\b(?i:open(?:\s+up)?\s+(?:the\s+|your\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:panel|tab|sidebar|inspector|drawer|(?:media|assets?|sound|music|effects?)\s+library))\b",
    ),
    (
        "drag",
        rf"\b(?i:drag(?:\s*(?:and|&|/|n|'n')\s*drop)?"
        rf"(?:\s+(?:it|them|this|that|(?:the|your|a|an)\s+[\w-]+(?:\s+{_NOT_PREPOSITION}[\w-]+)?))?"
        r"(?:\s+(?:onto|into|to|on|over)\s+(?:the\s+)?[\w-]+(?:\s+(?:track|timeline|panel|area))?)?)\b",
    ),
    (
        "click_other",
        rf"{_CLICK}(?:{_OPEN_QUOTE}(?P<quoted>[^\"'“”‘’`*\n]{{1,30}}){_CLOSE_QUOTE}"
        r"|(?P<capital>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})"
        r"|(?P<plain>(?!(?:the|a|an|this|that)\b)[\w-]+(?:\s+[\w-]+){0,2}?)(?=\s+(?i:button)))"
        rf"{_BUTTON}?{_WHERE}",
    ),
    # Chinese
    (
        "zh_export",
        r"(?:点击|单击)(?:右上角|左上角|上方|下方|顶部|底部|页面上?|界面上?)?的?"
        r"[「“\"']?(?:导出|下载)(?:视频)?[」”\"']?(?:按钮|键|图标)?"
        r"|[「“\"']?(?:导出|下载)(?:视频)?[」”\"']?(?:按钮|键|图标)",
    ),
    ("zh_preview", r"[在到]?(?:时间线|时间轴)[上中里]?(?:预览|查看|播放)(?:一下)?(?:效果)?|预览(?:一下)?(?:时间线|时间轴)"),
    (
        "zh_open",
        rf"打开{_ZH_STOP}{{0,10}}?(?:面板|标签页|侧边栏|素材库|媒体库)(?:[来以]?(?:查看|看看|看到|浏览|找到))?",
    ),
    (
        "zh_drag",
        # the rest of the clause goes too: "拖动字幕调整位置" says nothing once dragging is gone
        rf"(?:[将把]{_ZH_STOP}{{1,12}}?)?(?:拖拽|拖动|拖放|拖曳|拖(?=[到至进入])){_ZH_STOP}{{0,16}}",
    ),
    (
        "zh_click_other",
        r"(?:点击|单击)(?:[「“\"'](?P<zh_quoted>[^」”\"'\n]{1,10})[」”\"']"
        r"|(?P<zh_plain>[^\s，。！？；、「」“”\"']{1,8}?)(?=按钮|键))(?:按钮|键)?",
    ),
]
# Speed (an answer is translated as it completes, so long turns pay per
# message): every rule needs some words that a quick look can find (its verb,
# "button", "open" and "panel", "the timeline", 点击...). Only the rules whose
# words are in the text go into the pattern that rewrites it: a rule without
# them cannot match anywhere, so the result is the same as with all the rules,
# found 5-10x faster. (Compiled on first use, too: the whole pattern costs
# ~15 ms.) tests/core/test_gui.py runs both on the same texts.
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {  # each: words, one of each tuple (in the lower-cased text)
    "click": (("click", "tap", "press", "hit"),),
    "button": (("button", "icon", "option"),),
    "open": (("open",), ("panel", "tab", "sidebar", "inspector", "drawer", "library")),
    "drag": (("drag",),),
    "zh_export": (("导出", "下载"),),
    "zh_view": (("时间线", "时间轴"),),
    "zh_open": (("打开",),),
    "zh_drag": (("拖",),),
    "zh_click": (("点击", "单击"),),
}
# The preview rule always ends in "the timeline", "the preview panel" or "the player".
_VIEWED = re.compile(r"the\s+(?:timeline|preview|player)")
_RULE_NEEDS: dict[str, str] = {
    "export_click": "click", "export_button": "button", "preview": "view", "open_panel": "open", "drag": "drag",
    "click_other": "click", "zh_export": "zh_export", "zh_preview": "zh_view", "zh_open": "zh_open", "zh_drag": "zh_drag",
    "zh_click_other": "zh_click",
}  # fmt: skip


def _words_in(text: str) -> frozenset[str]:
    """Which rules' words the text has (as ``(?i)`` would find them: ``lower()``
    does the same, except for the two letters it leaves alone)."""
    low = text.lower()
    if "ı" in low or "ſ" in low:  # re's case folding matches them to i and s
        low = low.replace("ı", "i").replace("ſ", "s")
    found = {name for name, groups in _NEEDS.items() if all(any(word in low for word in group) for group in groups)}
    if _VIEWED.search(low):
        found.add("view")
    return frozenset(found)


# Any word a rule starts or ends with: text streamed to a pipe waits while its
# clause holds one (see ui/answer_stream.py), so the phrase is rewritten whole.
_ANY_WORD = tuple(sorted({word for groups in _NEEDS.values() for group in groups for word in group} | {"timeline", "preview", "player"}))


def may_begin_gui_talk(clause: str) -> bool:
    """Whether ``clause`` (the unfinished end of a streamed text) holds a word
    of some rule: what follows may complete a phrase ``translate_gui`` rewrites."""
    low = clause.lower().replace("ı", "i").replace("ſ", "s")  # (as _words_in: re's case folding)
    return any(word in low for word in _ANY_WORD)


@functools.lru_cache(maxsize=64)
def _pattern_for(words: frozenset[str]) -> re.Pattern[str]:
    """The rules (in their order) whose word is among ``words``."""
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _RULES if _RULE_NEEDS[name] in words))


def translate_gui(text: str, *, one_shot: bool = False) -> Translation:
    """``one_shot``: the replacements name the command line's commands
    ("nemochat export"), for ``ask`` and ``--json``, where there is no /export."""
    words = _words_in(text)
    if not words:
        return Translation(text, ())
    actions: list[GuiAction] = []

    def rewrite(match: re.Match[str]) -> str:
        phrase = match.group()
        kind, replacement = _translate(match)
        if kind is not None and all(action.kind != kind for action in actions):
            actions.append(GuiAction(kind, _COMMANDS[kind], phrase))
        return _match_case(phrase, _in_one_shot_words(replacement) if one_shot else replacement)

    return Translation(_pattern_for(words).sub(rewrite, text), tuple(actions))


def gui_actions(text: str) -> tuple[GuiAction, ...]:
    """The actions ``text`` points at (those ``translate_gui`` finds), without
    rewriting it: the turn offers them; the text is translated once, by
    whatever shows it, in its own words (the REPL's, a one-shot's)."""
    words = _words_in(text)
    if not words:
        return ()
    actions: list[GuiAction] = []
    for match in _pattern_for(words).finditer(text):
        kind, _ = _translate(match)
        if kind is not None and all(action.kind != kind for action in actions):
            actions.append(GuiAction(kind, _COMMANDS[kind], match.group()))
    return tuple(actions)


def _translate(match: re.Match[str]) -> tuple[ActionKind | None, str]:
    """(the action, the words that replace the phrase) for one matched phrase."""
    rule = next(name for name, _ in _RULES if name in match.re.groupindex and match.group(name) is not None)
    if rule == "export_click":
        return "export", _EXPORT_EN
    if rule == "export_button":
        return "export", "the /export command" if match.group().lower().startswith("the") else "/export"
    if rule == "preview":
        return "status", _SUMMARY_EN
    if rule == "open_panel":
        return "status", _PANEL_EN
    if rule == "drag":
        return "edit", _EDIT_EN
    if rule == "click_other":
        name = " ".join((match.group("quoted") or match.group("capital") or match.group("plain")).lower().split())
        return _button(name, "ask me to " + name, english=True)
    if rule == "zh_export":
        return "export", _EXPORT_ZH
    if rule == "zh_preview":
        return "status", _SUMMARY_ZH
    if rule == "zh_open":
        return "status", _PANEL_ZH
    if rule == "zh_drag":
        return "edit", _EDIT_ZH
    name = (match.group("zh_quoted") or match.group("zh_plain")).strip()
    return _button(name, "让我来" + name, english=False)


def _button(name: str, ask: str, *, english: bool) -> tuple[ActionKind | None, str]:
    """A button by name: export and status buttons are actions, others become a request."""
    if name in _EXPORT_NAMES:
        return "export", _EXPORT_EN if english else _EXPORT_ZH
    if name in _STATUS_NAMES:
        return "status", _SUMMARY_EN if english else _SUMMARY_ZH
    return None, ask


def _in_one_shot_words(replacement: str) -> str:
    for command in ("/export", "/status"):
        replacement = replacement.replace(command, f"`{cli_words.command(command[1:])}`")
    return replacement


def _match_case(phrase: str, replacement: str) -> str:
    """Keep a sentence capitalized: "Click X" -> "Export it", "click X" -> "export it"."""
    if phrase[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement
