"""The real-ADK recordings as a person reads them: `nemochat replay` in the
rich view (one-shot, to a file) and in --json."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from nemochat.app.replay import replay_bytes
from nemochat.ui.json_view import JsonView
from nemochat.ui.markdown_render import MARKDOWN_LIMIT
from nemochat.ui.rich_view import RichView

ADK_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sse" / "adk"
RECORDINGS = sorted(ADK_DIR.glob("*.sse"))


def rich_replay(data: bytes, **view_options) -> str:
    out = io.StringIO()
    view = RichView(Console(file=out, width=100, highlight=False, color_system=None), interactive=False, **view_options)
    asyncio.run(replay_bytes(data, view.emit))
    return out.getvalue()


def json_replay(data: bytes) -> list[dict]:
    out = io.StringIO()
    asyncio.run(replay_bytes(data, JsonView(out).emit))
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_each_recording_reads_well(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    shown = rich_replay(path.read_bytes())
    lines = json_replay(path.read_bytes())

    calls = [line for line in lines if line["type"] == "tool" and line["phase"] == "call"]
    assert [c["name"] for c in calls] == expected["tools"]  # one line per call
    assert shown.count("… ") == len(expected["tools"])  # (the rich view's call line, not on a terminal)
    errors = [line for line in lines if line["type"] == "error"]
    assert len(errors) == len(expected["errors"]) == shown.count("✗ ")
    for error, needle in zip(errors, expected["errors"], strict=False):
        assert needle in error["message"] and error["code"] not in ("", "agent_error")
    assert "{'" not in shown and "Traceback" not in shown
    assert [h["agent"] for h in lines if h["type"] == "handoff"] == expected["handoffs"]
    for agent in expected["handoffs"]:
        assert f"→ {agent}" in shown and "Transfer to agent" not in shown
    for name in expected["artifacts"]:
        assert f"The agent saved {name} in the project." in shown  # (on the server: not a file here)
    for thought in expected["thoughts"]:  # hidden by default
        assert thought.split()[-1] not in shown
    if expected["tools"] and expected["texts"]:  # the call line after the text said before it
        first_words = expected["texts"][0].split("\n")[0][:20]
        assert shown.index(first_words) < shown.index("… ")


def test_thoughts_when_shown_are_dim_markdown_before_the_answer():
    shown = rich_replay((ADK_DIR / "thinking.sse").read_bytes(), show_thoughts=True)
    assert "Planning the edit" in shown and "**" not in shown
    assert shown.index("Planning the edit") < shown.index("I trimmed the intro")


def test_a_message_past_the_markdown_limit_prints_plain_and_whole():
    words = " ".join(f"w{i}" for i in range(MARKDOWN_LIMIT // 5))
    text = f"**bold** {words}\n\n## Heading {words}"
    event = {"content": {"parts": [{"text": text}], "role": "model"}, "author": "a", "invocationId": "e"}
    shown = rich_replay(f"data: {json.dumps(event)}\n\n".encode())
    assert shown.count("w12345 ") == 2 and "**bold**" in shown and "## Heading" in shown  # as written, once


def test_a_file_the_agent_saved_is_said_to_be_in_the_project_in_either_language():
    """"saved storyboard.md" read as a file on this machine (and stayed English
    with --lang zh): the notice says where it is, in the chosen language; --json keeps its line."""
    data = (ADK_DIR / "state_artifact.sse").read_bytes()
    assert "智能体已在项目中保存 storyboard.md。" in rich_replay(data, lang="zh")
    assert "saved storyboard.md" not in rich_replay(data, lang="zh")
    assert {"type": "notice", "message": "saved storyboard.md", "kind": "info"} in json_replay(data)
