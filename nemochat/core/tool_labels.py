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


def label_for(tool_name: str) -> ToolLabel:
    known = _KNOWN.get(tool_name)
    if known:
        return known
    words = tool_name.replace("_", " ").replace("-", " ").strip()
    return ToolLabel(words[:1].upper() + words[1:] if words else "Working")
