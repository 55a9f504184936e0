"""The scripted NemoVideo agent: which steps a message leads to.

A script is a tuple of shape-neutral steps; stream.py turns them into ADK or
typed SSE events and plays their delays:

- ``ModelCall``: one LLM call (streamed text, optional reasoning, tool calls);
- ``ToolRun``: a tool executing for a named ``Settings`` duration, then
  answering, optionally editing the session (draft, media) as it finishes.

Scripts, picked by keywords (English and Chinese; Chinese messages get
Chinese answers): answer (a question, never a generation: "what's the status
of my video?" describes the project), title (a silent turn), generate
(two-stage: clip, then music and title), music, choice (``ask_question``),
and chat.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Mapping

from nemochat.sim import draft as drafts
from nemochat.sim.world import Session


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: Mapping[str, Any]
    call_id: str = field(default_factory=lambda: f"adk-{uuid.uuid4()}")


@dataclass(frozen=True)
class ModelCall:
    text: str = ""
    thought: str = ""  # reasoning, sent as a `thought: true` part
    calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True)
class ToolRun:
    call: ToolCall
    response: Mapping[str, Any]
    wait: str = "tool_s"  # the Settings field giving how long the tool takes
    edit: Callable[[Session], None] | None = None
    artifact: str | None = None  # an artifact file name: ADK then sends the event twice


Step = ModelCall | ToolRun


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Step, ...]
    cost: int = 0  # credits frozen for the turn, spent when it completes


@dataclass(frozen=True)
class TurnContext:
    message: str
    media_base: str  # where the sim serves its media, e.g. http://127.0.0.1:PORT/cdn/media
    generation_cost: int
    draft: Mapping[str, Any] | None = None  # the session's, for answers about the project


def _words(*alternatives: str) -> re.Pattern[str]:
    # Why two kinds: English words need boundaries, Chinese has no spaces.
    ascii_words = [a for a in alternatives if a.isascii()]
    cjk = [a for a in alternatives if not a.isascii()]
    parts = [rf"\b(?:{'|'.join(ascii_words)})\b"] if ascii_words else []
    return re.compile("|".join(parts + cjk), re.IGNORECASE)


_TITLE = _words("title", "caption", "text", "标题", "字幕")
_GEN_VERB = _words("make", "generate", "create", "生成", "制作")
_GEN_NOUN = _words("clip", "video", "视频", "短片")
_MUSIC = _words("music", "bgm", "lo-?fi", "song", "suno", "音乐", "配乐")
_CHOICE = _words("style", "choose", "which", "风格", "选择")
_CJK = re.compile(r"[\u3400-\u9fff]")
# A question asks; a request ("can you make…", "please add…") is not one, even with a "?".
_REQUEST_LEAD = re.compile(r"^\s*(?:please|pls|can you|could you|would you|will you|how about|what about|i want|i'd like|let's|"
                           r"make|generate|create|add|请|帮我|生成|制作|添加|加)", re.IGNORECASE)
_QUESTION_LEAD = re.compile(r"^\s*(?:what|what's|whats|how|how's|why|where|when|who|is|are|was|were|does|do|did|"
                            r"has|have)\b", re.IGNORECASE)
_ZH_QUESTION = re.compile(r"吗|什么|怎么|怎样|如何|多少|几|哪")
_ABOUT_PROJECT = _words("status", "progress", "project", "draft", "timeline", "video", "clip", "ready", "done",
                        "状态", "进度", "项目", "草稿", "时间线", "视频", "好了")
_END_MARKS = re.compile(r"[.!?。!?]+$")
_DURATION = re.compile(r"(\d{1,3})\s*-?\s*(?:s|secs?|seconds?|秒)(?![a-z])", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“「'‘]([^\"”」'’]{1,60})[\"”」'’]")
# "make the title say Neon Dreams", "title: Neon Dreams", "标题改成霓虹之梦": the words after the verb.
_TITLE_SAYS = re.compile(r"(?:\b(?:say|says|read|reads|to|as)\b|[::]|改成|改为|换成|叫|标题是|标题为)\s*(.{1,60}?)\s*$", re.IGNORECASE)
_MAKE_IT = re.compile(r"^\s*(?:please\s+|can you\s+|could you\s+)?make\s+(?:it|this|that|the\s+\w+)\b(?!\s+(?:of|about|showing)\b)",
                      re.IGNORECASE)
# A request the demo has no script for ("add rain sounds", "把背景换成蓝色"): said so, nothing changed.
_EDIT_LEAD = re.compile(r"^\s*(?:please\s+|can you\s+|could you\s+)?(?:add|change|make|remove|delete|put|use|set|"
                        r"replace|turn|cut|trim|speed|slow)\b|^\s*(?:请|帮我)?(?:加|添加|改|换|去掉|删|把)", re.IGNORECASE)


def pick_script(ctx: TurnContext) -> Script:
    message = ctx.message
    zh = bool(_CJK.search(message))
    if is_question(message) and not _CHOICE.search(message):
        return answer_script(ctx, zh)
    if _TITLE.search(message):
        return title_script(message, zh)
    if _GEN_VERB.search(message) and _GEN_NOUN.search(message):
        return generate_script(ctx, zh)
    if _MUSIC.search(message):
        return music_script(ctx, zh)
    if _CHOICE.search(message):
        return choice_script(zh)
    if _MAKE_IT.search(message):  # "make it brighter" changes this clip: never a paid new one
        return unknown_edit_script(message, zh)
    if _GEN_VERB.search(message) or _GEN_NOUN.search(message):
        return generate_script(ctx, zh)
    if _EDIT_LEAD.search(message):
        return unknown_edit_script(message, zh)
    return chat_script(message, zh)


def is_question(message: str) -> bool:
    """A question rather than a request: asked ("?", "what…", "吗"), not asked for."""
    text = message.strip()
    if _REQUEST_LEAD.search(text):
        return False
    return text.endswith(("?", "?")) or bool(_QUESTION_LEAD.search(text) or _ZH_QUESTION.search(text))


def answer_script(ctx: TurnContext, zh: bool) -> Script:
    """A question is answered and spends nothing: about the project, from its
    draft; anything else, the general answer."""
    draft = ctx.draft or {}
    if not _ABOUT_PROJECT.search(ctx.message):
        return chat_script(ctx.message, zh)
    tracks = [t for t in draft.get("t") or [] if t.get("sg")]
    if not tracks:
        text = ("你的项目还是空的:还没有生成任何视频。描述一个场景,比如“生成一段10秒的雨夜东京视频”,我就开始制作。" if zh
                else "Your project is still empty: nothing has been generated yet. Describe a scene — for example "
                     "“make a 10s rainy Tokyo clip” — and I'll make it.")
        return Script("answer", (ModelCall(text=text),))
    seconds = round((draft.get("d") or 0) / 1000)
    title = (draft.get("m") or {}).get("title") or ("未命名" if zh else "Untitled")
    names = [f"{t.get('n') or '?'}: {', '.join(str(s.get('n') or '?') for s in t['sg'])}" for t in tracks]
    if zh:
        text = f"你的视频“{title}”已经完成,共{seconds}秒,包含{len(tracks)}条轨道({';'.join(names)})。可以导出了。"
    else:
        text = (f"Your video “{title}” is done: {seconds} seconds on {len(tracks)} track{'s' if len(tracks) != 1 else ''} "
                f"({'; '.join(names)}). It is ready to export.")
    return Script("answer", (ModelCall(text=text),))


def requested_seconds(message: str, default: int = 10) -> int:
    match = _DURATION.search(message)
    return min(max(int(match.group(1)), 1), 60) if match else default


def generate_script(ctx: TurnContext, zh: bool) -> Script:
    seconds = requested_seconds(ctx.message)
    length_ms = seconds * 1000
    subject = _subject(ctx.message, zh)
    clip_name = subject or ("生成的视频" if zh else "Generated clip")
    clip_url = f"{ctx.media_base}/clip.mp4"
    title = "都市梦想" if zh else "Urban Dreams"
    video = ToolCall("generate_video_with_seedance", {"prompt": ctx.message, "duration": seconds})
    music = ToolCall("generate_music", {"prompt": "lo-fi chill beat", "duration": seconds})
    edit = ToolCall("edit_multitrack", {"operations": [
        {"op": "add_track", "type": "bgm", "name": "Lo-fi", "volume": 35, "start_ms": 0, "end_ms": length_ms},
        {"op": "add_track", "type": "text", "text": title, "start_ms": 0, "end_ms": 3000},
    ]})

    def add_clip(session: Session) -> None:
        drafts.replace_track(session.draft, drafts.VIDEO, "Video",
                             [drafts.segment(clip_name, 0, length_ms, u=clip_url)])
        session.draft["m"]["title"] = clip_name
        session.generated_media.append({"type": "video", "url": clip_url, "duration": seconds,
                                        "prompt": ctx.message, "tool": video.name})

    def add_music_and_title(session: Session) -> None:
        _put_bgm(session, clip_url, length_ms)
        _put_title(session, title)

    if zh:
        first = (f"这是你的{seconds}秒视频{':' + subject if subject else ''}——电影感光线,镜头缓慢平移。"
                 "接下来我会添加配乐和标题。")
        last = (f"完成!我添加了音量35%的Lo-fi配乐,并在前3秒加上了“{title}”标题。"
                "在时间线中预览,然后点击导出按钮下载视频。")
        thought = "第二阶段完成,提醒用户如何导出。"
    else:
        first = (f"Here's your {seconds}-second clip{' of ' + subject if subject else ''} — cinematic "
                 "lighting, slow camera pan. Next I'll add a soundtrack and a title.")
        last = (f"All set: I added a Lo-fi soundtrack at 35% volume and an “{title}” title for the "
                "first 3 seconds. Preview it in the timeline, then click the Export button to download it.")
        thought = "Stage two is done; remind the user how to export."
    return Script("generate", (
        ModelCall(calls=(video,)),
        ToolRun(video, {"status": "success", "video_url": clip_url, "duration": seconds},
                wait="generation_s", edit=add_clip, artifact=f"video_{uuid.uuid4().hex[:8]}.mp4"),
        ModelCall(text=first, calls=(music,)),
        ToolRun(music, {"status": "success", "audio_url": clip_url, "title": "Lo-fi", "duration": seconds}),
        ModelCall(calls=(edit,)),
        ToolRun(edit, {"status": "success", "tracks": 3}, edit=add_music_and_title),
        ModelCall(text=last, thought=thought),
    ), cost=ctx.generation_cost)


def music_script(ctx: TurnContext, zh: bool) -> Script:
    url = f"{ctx.media_base}/clip.mp4"
    tool = "suno" if "suno" in ctx.message.lower() else "generate_music"
    call = ToolCall(tool, {"prompt": "lo-fi chill beat", "instrumental": True})

    def add_bgm(session: Session) -> None:
        _put_bgm(session, url, drafts.video_length_ms(session.draft, default=10_000))

    text = ("已添加音量35%的Lo-fi背景音乐,覆盖整个视频。" if zh
            else "Added a Lo-fi background track at 35% volume under the whole video.")
    return Script("music", (
        ModelCall(calls=(call,)),
        ToolRun(call, {"status": "success", "audio_url": url, "title": "Lo-fi"}, edit=add_bgm),
        ModelCall(text=text),
    ))


def title_script(message: str, zh: bool) -> Script:
    """A silent turn: the edit happens, but the agent says nothing."""
    quoted = _QUOTED.search(message) or _TITLE_SAYS.search(_END_MARKS.sub("", message.strip()))
    title = quoted.group(1).strip() if quoted and quoted.group(1).strip() else ("都市梦想" if zh else "Urban Dreams")
    call = ToolCall("edit_multitrack", {"operations": [
        {"op": "add_track", "type": "text", "text": title, "start_ms": 0, "end_ms": 3000}]})
    return Script("title", (
        ModelCall(calls=(call,)),
        ToolRun(call, {"status": "success", "applied": 1}, edit=lambda s: _put_title(s, title)),
    ))


def unknown_edit_script(message: str, zh: bool) -> Script:
    """An edit the demo has no script for: say so (the real agent would try), change nothing."""
    asked = " ".join(message.split())[:60]
    text = (f"演示里的智能体只会几种改动:生成新片段、添加配乐、设置标题。“{asked}”要由真正的智能体来做;项目没有改动。" if zh
            else f"The demo agent knows a few edits: a new clip, music, a title. “{asked}” is one for the real agent; "
                 "nothing in the project changed.")
    return Script("chat", (ModelCall(text=text),))


def choice_script(zh: bool) -> Script:
    if zh:
        args = {"title": "选择风格", "questions": [
            _question("style", "视频用哪种视觉风格?", ["电影感", "动漫", "纪录片"], False),
            _question("extras", "还要添加什么?", ["配乐", "标题", "字幕"], True)]}
    else:
        args = {"title": "Pick a style", "questions": [
            _question("style", "Which visual style should the video use?",
                      ["Cinematic", "Anime", "Documentary"], False),
            _question("extras", "Anything to add?", ["Music", "Title", "Subtitles"], True)]}
    return Script("choice", (ModelCall(calls=(ToolCall("ask_question", args),)),))


def chat_script(message: str, zh: bool) -> Script:
    # Why only questions get a thought: "occasionally", yet predictable for tests.
    asks = message.rstrip().endswith(("?", "?"))
    if zh:
        text = ("好问题!我可以把文字描述变成短视频,添加音乐或标题,并准备好导出。你想做什么样的视频?" if asks
                else "你好!我是你的NemoVideo视频助手。描述一个场景,比如“生成一段10秒的雨夜东京视频”,"
                     "我会生成视频、添加配乐和标题,并准备好导出。")
        thought = "用户在问一般性问题。简短回答,然后引导到视频创作。" if asks else ""
    else:
        text = ("Good question! I can turn a description into a short video clip, add music or a title, "
                "and get it ready to export. What would you like to make?" if asks
                else "Hi! I'm your NemoVideo agent. Describe a scene — for example “make a 10s rainy "
                     "Tokyo clip” — and I'll generate it, add music and a title, and get it ready to export.")
        thought = "A general question: answer briefly, then steer toward a video idea." if asks else ""
    return Script("chat", (ModelCall(text=text, thought=thought),))


def _question(qid: str, prompt: str, labels: list[str], allow_multiple: bool) -> dict[str, Any]:
    options = [{"id": chr(ord("a") + i), "label": label} for i, label in enumerate(labels)]
    return {"id": qid, "prompt": prompt, "options": options, "allow_multiple": allow_multiple}


def _put_bgm(session: Session, url: str, length_ms: int) -> None:
    drafts.replace_track(session.draft, drafts.AUDIO, "BGM",
                         [drafts.segment("Lo-fi", 0, length_ms, u=url, vl=35)])


def _put_title(session: Session, title: str) -> None:
    drafts.replace_track(session.draft, drafts.TEXT, "Title",
                         [drafts.segment(title, 0, 3000, tx=title)])


_LEAD = re.compile(r"^(?:(?:please|can you|could you)\s+)*(?:make|generate|create)\s+"
                   r"(?:me\s+)?(?:an?\s+|the\s+)?", re.IGNORECASE)
_NOUN_OF = re.compile(r"^(?:short\s+|cinematic\s+)?(?:video|clip)\b\s*(?:of|about|showing|with)?\s*",
                      re.IGNORECASE)
_NOUN_END = re.compile(r"\s+(?:video|clip)$", re.IGNORECASE)
_ZH_LEAD = re.compile(r"^(?:请|帮我)?(?:生成|制作|做)?(?:一段|一个|一条)?(?:的)?(?:视频|短片)?[,,::]?")


def _subject(message: str, zh: bool) -> str:
    """What the clip shows, from the request ("make a 10s rainy Tokyo clip" ->
    "rainy Tokyo"), or "" when the request names nothing."""
    text = _END_MARKS.sub("", _DURATION.sub("", message).strip())
    if zh:
        return _ZH_LEAD.sub("", text).removesuffix("视频").strip()[:30]
    text = " ".join(text.split())
    text = _NOUN_END.sub("", _NOUN_OF.sub("", _LEAD.sub("", text))).strip(" ,")
    if len(text) > 60:
        text = text[:60].rsplit(" ", 1)[0] + "…"
    return text
