"""Human labels for the agent's tools: people see "Generating video", never JSON."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolLabel:
    label: str
    expected: str | None = None


_KNOWN = {
    "generate_video_with_seedance": ToolLabel("Generating video", "usually 2-5 min"),
    "generate_video": ToolLabel("Generating video", "usually 2-5 min"),
    "generate_music": ToolLabel("Composing music", "usually under a minute"),
    "suno": ToolLabel("Composing music", "usually under a minute"),
    "edit_multitrack": ToolLabel("Editing timeline"),
    "ask_question": ToolLabel("Asking a question"),
}


# The same, in Chinese (--lang zh); tests/core/test_texts.py keeps the two tables in step.
KNOWN_ZH = {
    "generate_video_with_seedance": ToolLabel("正在生成视频", "通常需要 2-5 分钟"),
    "generate_video": ToolLabel("正在生成视频", "通常需要 2-5 分钟"),
    "generate_music": ToolLabel("正在创作音乐", "通常不到一分钟"),
    "suno": ToolLabel("正在创作音乐", "通常不到一分钟"),
    "edit_multitrack": ToolLabel("正在编辑时间线"),
    "ask_question": ToolLabel("正在提问"),
}
KNOWN_EN = _KNOWN


def label_for(tool_name: str, lang: str = "en") -> ToolLabel:
    zh = lang.lower().startswith("zh")
    known = (KNOWN_ZH if zh else _KNOWN).get(tool_name)
    if known:
        return known
    words = tool_name.replace("_", " ").replace("-", " ").strip()  # (an unknown tool: its own name, the server's words)
    return ToolLabel(words[:1].upper() + words[1:] if words else "处理中" if zh else "Working")
