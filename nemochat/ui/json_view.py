"""The ``--json`` view: one JSON object per line on stdout, nothing else.

The shapes are the command-line contract's (cli-contract.md, "--json lines").
Server strings pass the sanitizer here too: scripts print them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO, Any

from nemochat.core import ui_events as ui
from nemochat.core.gui import translate_gui
from nemochat.core.sanitize import clean, clean_json
from nemochat.errors import NemochatError


class JsonView:
    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    def emit(self, event: ui.UIEvent) -> None:
        shape = _SHAPES.get(type(event))  # (to_json_line, inlined: most events are deltas, with no line)
        if shape is not None:
            self._write(shape(event))

    def error(self, error: NemochatError) -> None:
        self._write({"type": "error", "code": error.code, "message": clean(error.message), "action": clean(error.action)})

    def done(self) -> None:
        self._write({"type": "done"})

    def _write(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(clean_json(obj), ensure_ascii=False) + "\n")  # every string, codes and ids too
        self.out.flush()


def to_json_line(event: ui.UIEvent) -> dict[str, Any] | None:
    """The contract's line for ``event``; None for what is not part of it
    (deltas, dropped pieces, turn ends, progress bars)."""
    shape = _SHAPES.get(type(event))  # one lookup: most events in a stream are deltas, with no line
    return shape(event) if shape is not None else None


def _session(event: ui.SessionReady) -> dict[str, Any]:
    return {"type": "session", "session_id": event.session_id, "task_id": event.task_id, "user_id": event.user_id, "claim_url": event.claim_url, "resumed": event.resumed,
            **({"demo": True} if event.demo else {})}


def _text(event: ui.Message) -> dict[str, Any]:
    # translated again in the command line's words ("nemochat export", not the REPL's /export)
    return {"type": "text", "text": clean(translate_gui(event.raw, one_shot=True).text), "complete": event.complete}


def _tool(event: ui.ToolActivity) -> dict[str, Any]:
    return {"type": "tool", "name": clean(event.name), "phase": event.phase, "label": clean(event.label)}


def _handoff(event: ui.HandedOff) -> dict[str, Any]:
    return {"type": "handoff", "agent": clean(event.agent)}


def _notice(event: ui.Notice) -> dict[str, Any]:
    return {"type": "notice", "message": clean(event.message), "kind": event.kind}


def _artifact(event: ui.ArtifactNoted) -> dict[str, Any]:
    return {"type": "notice", "message": "saved " + clean(event.name), "kind": "info"}  # (the notice it always was)


def _thought(event: ui.Thought) -> dict[str, Any]:
    return {"type": "thought", "text": clean(event.text)}


def _question(event: ui.QuestionAsked) -> dict[str, Any]:
    q = event.question
    return {
        "type": "question",
        "title": clean(q.title),
        "questions": [
            {"id": clean(i.id), "prompt": clean(i.prompt), "allow_multiple": i.allow_multiple, "options": [{"id": clean(o.id), "label": clean(o.label)} for o in i.options]}
            for i in q.items
        ],
    }


def _action(event: ui.ActionOffered) -> dict[str, Any]:
    return {"type": "action", "kind": event.action.kind, "command": event.action.command}


def _credits(event: ui.CreditsShown) -> dict[str, Any]:
    return {"type": "credits", "available": event.available, "frozen": event.frozen, "total": event.total}


def _state(event: ui.StateShown) -> dict[str, Any]:
    t = event.timeline
    tracks = [{"type": tr.kind, "segments": len(tr.segments), "duration_ms": tr.duration_ms} for tr in t.tracks]
    return {"type": "state", "tracks": tracks, "duration_ms": t.duration_ms, "summary": clean(t.summary())}


def _changes(event: ui.ChangesShown) -> dict[str, Any]:
    return {"type": "changes", "summary": clean(event.summary), "changes": [clean(c) for c in event.lines], "after_drop": event.after_drop}


def _error(event: ui.ErrorShown) -> dict[str, Any]:
    return {"type": "error", "code": event.code, "message": clean(event.message), "action": clean(event.action)}


def _export(event: ui.ExportDone) -> dict[str, Any]:
    return {"type": "export", "render_id": clean(event.render_id), "status": event.status,
            "url": clean(event.url) if event.url else None, "path": event.path}


def _upload(event: ui.UploadDone) -> dict[str, Any]:
    files = [{"filename": clean(f.filename), "file_type": clean(f.file_type), "cdn_url": clean(f.cdn_url),
              "duration": f.duration, "width": f.width, "height": f.height} for f in event.files]
    return {"type": "upload", "files": files, "session_state_applied": event.applied}


def _video(event: ui.VideoReady) -> dict[str, Any]:
    line = {"type": "video", "provider": event.provider, "task_id": event.task_id and clean(event.task_id), "status": event.status}
    extra = {"url": event.url and clean(event.url), "credits_used": event.credits_used, "path": event.path,
             "shot_id": event.shot_id and clean(event.shot_id), "job_id": event.job_id}
    return {**line, **{k: v for k, v in extra.items() if v is not None}}


def _preview(event: ui.PreviewShown) -> dict[str, Any]:
    return {"type": "preview", "path": event.path, "sheet": event.sheet, "duration_s": event.duration_s,
            "width": event.width, "height": event.height, "frames": [{"t": t} for t in event.frames]}


_SHAPES: dict[type, Callable[[Any], dict[str, Any]]] = {
    ui.SessionReady: _session,
    ui.Message: _text,
    ui.ToolActivity: _tool,
    ui.HandedOff: _handoff,
    ui.Notice: _notice,
    ui.ArtifactNoted: _artifact,
    ui.Thought: _thought,
    ui.QuestionAsked: _question,
    ui.ActionOffered: _action,
    ui.CreditsShown: _credits,
    ui.StateShown: _state,
    ui.ChangesShown: _changes,
    ui.ErrorShown: _error,
    ui.ExportDone: _export,
    ui.UploadDone: _upload,
    ui.VideoReady: _video,
    ui.PreviewShown: _preview,
}
