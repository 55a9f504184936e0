"""What the user typed -> an Intent. Never touches the network.

The rule: a routed intent (credits, status, export, upload) matches only when
the WHOLE message, once polite fillers ("please", "can you", "my", "the",
"帮我", "请", "一下", "我的"...) and punctuation are gone, is essentially the
intent phrase: "credits?", "how many credits do I have left", "show the
timeline", "export the video", "帮我导出一下", "剩余积分". A keyword somewhere
in a longer sentence is not enough, so creative requests such as "make a video
and export it in 4k", "a clip about my credit card" or "状态很好的猫" go to the
agent as messages.

Upload has two forms:
- "upload" / "上传" followed by nothing (the caller asks for a file) or only
  paths and URLs ("upload ~/a.mp4 https://x/b.png");
- a message made only of existing files, as a terminal pastes dropped files:
  quoted ('...' or "..."), with backslash-escaped spaces, or `file://` URLs.
  A bare word is never taken for a file: a token must look like a path (a
  separator, a leading "~" or ".", or an extension) before `is_file` is asked.

`is_file` is injected (the caller's check does expanduser); it receives the
unquoted, unescaped string. `file://` URLs are turned into local paths.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlparse

__all__ = ["Intent", "IntentKind", "route_intent"]

IntentKind = Literal["message", "credits", "status", "export", "upload"]


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    text: str  # the original text (stripped)
    paths: tuple[str, ...] = ()  # for upload: local paths / http(s) URLs, unquoted
    output: str | None = None  # for export: the path in "export to ~/a.mp4"


def route_intent(text: str, *, is_file: Callable[[str], bool]) -> Intent:
    text = text.strip()
    check = _safe_check(is_file)
    return (
        _route_upload_command(text, check)
        or _route_export_to(text)
        or _route_phrase(text)
        or _route_dropped_files(text, check)
        or Intent("message", text)
    )


# --- normalizing ---------------------------------------------------------------

# Words that carry no intent in a short command. Question words ("what", "how
# many") are not here: they are only skipped for credits and status.
_EN_FILLERS = frozenset(
    "please pls plz kindly can could would will you me my our your the a an i id im "
    "do does to lets let us now just hey hi ok okay thanks thank thx so it this that "
    "for of want wanna like need again quickly right".split()
)
_EN_QUESTION_WORDS = frozenset(
    "show check see view display list get tell know what whats is are how hows many much "
    "have has got left remaining remain available there any current currently still".split()
)
# Removed as substrings, longest first; only ever tried on text with CJK in it.
_ZH_FILLERS = ("可不可以", "能不能", "麻烦你", "帮我", "帮忙", "麻烦", "请问", "请你", "可以", "一下",
               "我的", "给我", "我们", "请", "我", "你", "吗", "呢", "吧", "啊", "呀", "了")
_ZH_QUESTION_WORDS = ("有什么", "是什么", "怎么样", "查看", "查询", "看看", "看下", "显示", "告诉",
                      "现在", "当前", "目前", "还有", "还剩", "剩余", "剩下", "多少", "几个",
                      "什么", "如何", "查", "看", "剩", "有", "是", "还")


def _words(text: str) -> list[str]:
    """Casefolded words; apostrophes vanish ("what's" -> "whats"), other punctuation splits."""
    text = text.casefold().replace("'", "").replace("’", "")
    spaced = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text)
    return spaced.split()


def _without(words: Iterable[str], skipped: frozenset[str]) -> str:
    return " ".join(w for w in words if w not in skipped)


def _remove_substrings(text: str, substrings: Iterable[str]) -> str:
    for piece in substrings:
        text = text.replace(piece, "")
    return text


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


# --- credits, status, export: whole-message phrases ----------------------------

_EN_CREDITS = re.compile(r"(?:credits?|balance|credits? balance|account balance|credits? left)")
_EN_STATUS = re.compile(
    r"(?:(?:project|session|draft|timeline|track|edit|editing)\s)?"
    r"(?:status|state|summary|tracks|track list|timeline|draft|project|progress)"
    r"(?:\s(?:project|session|draft|timeline))?"
    r"|(?:in|on) (?:project|timeline|draft)|(?:project|track|timeline) info"
)
_EN_EXPORT = re.compile(
    r"(?:(?:export|download|render|save|send|give|get)\s(?:final\s|finished\s)?"
    r"(?:video|movie|file|result|mp4|clip|render)|export|download|render|send)"
    r"(?:\s(?:as|to|in) mp4)?"
)
_ZH_CREDITS = frozenset({"积分", "余额", "积分余额", "账户余额", "账户积分", "点数", "额度"})
_ZH_STATUS = frozenset({"状态", "项目状态", "轨道", "轨道信息", "时间线", "时间轴", "时间线上",
                        "时间轴上", "项目", "项目里", "项目进度", "进度", "草稿", "剪辑进度"})
_ZH_EXPORT = re.compile(
    r"把?(?:视频|成片|成品|它|这个)?(?:导出|下载|渲染|保存|发送|发)(?:视频|成片|成品|出来|下来|过来)?"
    r"(?:[为成](?:mp4|视频))?"
)


def _route_phrase(text: str) -> Intent | None:
    words = _words(text)
    core = _without(words, _EN_FILLERS)
    question = _without(core.split(), _EN_QUESTION_WORDS)
    if _EN_CREDITS.fullmatch(question):
        return Intent("credits", text)
    if _EN_STATUS.fullmatch(question):
        return Intent("status", text)
    if _EN_EXPORT.fullmatch(core):
        return Intent("export", text)
    if not _has_cjk(text):
        return None
    zh_core = _remove_substrings(core.replace(" ", ""), _ZH_FILLERS)
    zh_question = _remove_substrings(zh_core, _ZH_QUESTION_WORDS)
    if zh_question in _ZH_CREDITS:
        return Intent("credits", text)
    if zh_question in _ZH_STATUS:
        return Intent("status", text)
    if _ZH_EXPORT.fullmatch(zh_core):
        return Intent("export", text)
    return None


# "export to ~/a.mp4", "download the video as out.mp4", "导出到 ~/a.mp4"
_EXPORT_TO = re.compile(
    r"(?:(?:please|pls|kindly|can you|could you|would you|now|just)\s+)*"
    r"(?:export|download|save|render)"
    r"(?:\s+(?:it|this|that|the video|my video|the final video|the result|the file|video))?"
    r"\s+(?:to|as|into)\s+(?P<output>.+?)(?:[\s,]+(?:please|pls|plz|thanks|thank you))?[\s.!]*"
    r"|(?:请|帮我|麻烦)*(?:把视频)?(?:导出|下载|保存)(?:视频)?(?:到|至|为)\s*(?P<zh_output>.+?)[\s。！]*",
    re.IGNORECASE | re.DOTALL,
)


def _route_export_to(text: str) -> Intent | None:
    match = _EXPORT_TO.fullmatch(text)
    if not match:
        return None
    raw = (match.group("output") or match.group("zh_output")).strip()
    tokens = _split_shell_words(raw)
    output = tokens[0] if tokens and len(tokens) == 1 else raw
    # "export to mp4" names a format, not a file: leave it to the phrase rules.
    return Intent("export", text, output=output) if _looks_like_path(output) else None


# --- upload --------------------------------------------------------------------

_UPLOAD_COMMAND = re.compile(
    r"(?:(?:please|pls|can you|could you|now|just)\s+)*(?:upload|上传)(?P<rest>.*)"
    r"|(?:请|帮我|麻烦)*上传(?P<zh_rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
# Between "upload" and its paths: "upload these files:", "上传这个视频".
_UPLOAD_FILLERS = frozenset(
    "please pls the a an my this these that those file files video videos image images "
    "photo photos picture pictures clip clips audio song music it them".split()
)
_UPLOAD_FILLER_PREFIX = re.compile(r"^(?:一下|这个|这些|我的|文件|视频|图片|音频|素材|[:：,，\s])+")
# "clip.mp4", "notes.txt": a name with an extension (at least one letter in it, so "v1.5" is not).
_FILE_SUFFIX = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")


def _route_upload_command(text: str, is_file: Callable[[str], bool]) -> Intent | None:
    match = _UPLOAD_COMMAND.fullmatch(text)
    if not match:
        return None
    rest = match.group("rest") if match.group("rest") is not None else match.group("zh_rest")
    if rest and rest[0].isalnum() and not _has_cjk(rest[0]):
        return None  # "uploaded", "uploading": another word
    rest = _UPLOAD_FILLER_PREFIX.sub("", rest.strip())
    tokens = _split_shell_words(rest)
    if tokens is None:
        return None
    while tokens and tokens[0].casefold().strip(":") in _UPLOAD_FILLERS:
        tokens.pop(0)
    paths = [_local_path(token) or token for token in tokens]
    if all(_is_url(p) or _looks_like_path(p) or is_file(p) for p in paths):
        return Intent("upload", text, paths=tuple(paths))
    return None  # "upload a photo of the beach at dusk": a request, not a command


def _route_dropped_files(text: str, is_file: Callable[[str], bool]) -> Intent | None:
    tokens = _split_shell_words(text)
    paths = [_local_path(token) or token for token in tokens or ()]
    if paths and all(_looks_like_path(p) and is_file(p) for p in paths):
        return Intent("upload", text, paths=tuple(paths))
    if _looks_like_path(text) and is_file(text):  # one path pasted raw, spaces and all
        return Intent("upload", text, paths=(text,))
    return None


def _safe_check(is_file: Callable[[str], bool]) -> Callable[[str], bool]:
    """The injected check, made total: odd strings (NUL, huge) are just "not a file"."""

    def check(path: str) -> bool:
        if not path or len(path) > 4096:
            return False
        try:
            return bool(is_file(path))
        except (OSError, ValueError):
            return False

    return check


def _is_url(token: str) -> bool:
    return re.match(r"https?://\S+$", token, re.IGNORECASE) is not None


def _looks_like_path(token: str) -> bool:
    return (
        "/" in token
        or "\\" in token
        or token.startswith(("~", "."))
        or re.match(r"[A-Za-z]:", token) is not None
        or _FILE_SUFFIX.search(token) is not None
    )


def _local_path(token: str) -> str | None:
    """The local path of a `file://` URL (percent-decoded), else None."""
    if not token.casefold().startswith("file://"):
        return None
    url = urlparse(token)
    if url.netloc not in ("", "localhost"):
        return None
    path = unquote(url.path)
    if re.match(r"/[A-Za-z]:[/\\]", path):  # file:///C:/Users/... on Windows
        path = path[1:]
    return path or None


# Unquoted, a backslash escapes only what a shell would need escaped, so that
# "C:\Users\me\a.mp4" survives while "My\ Video.mp4" becomes "My Video.mp4".
_ESCAPABLE = frozenset(" \t\n'\"\\()[]{}&;|<>*?!$#`~=,")


def _split_shell_words(text: str) -> list[str] | None:
    """Split like a POSIX shell would for pasted paths; None when a quote is unbalanced."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif char in "'\"":
            end = text.find(char, i + 1)
            if end < 0:
                return None
            quoted = text[i + 1 : end]
            if char == '"':
                quoted = re.sub(r'\\([\\"$`])', r"\1", quoted)
            current.append(quoted)
            in_word, i = True, end
        elif char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            current.append(text[i + 1])
            in_word, i = True, i + 1
        else:
            current.append(char)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    return words
