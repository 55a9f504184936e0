"""The ``--json`` view: one JSON object per line on stdout, nothing else.

The shapes are the command-line contract's (cli-contract.md, "--json lines").
Server strings pass the sanitizer here too: scripts print them.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from nemochat.core import ui_events as ui
from nemochat.core.sanitize import clean
from nemochat.errors import NemochatError


class JsonView:
    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    def emit(self, event: ui.UIEvent) -> None:
        line = to_json_line(event)
        if line is not None:
            self._write(line)

    def error(self, error: NemochatError) -> None:
        self._write({"type": "error", "code": error.code, "message": clean(error.message), "action": clean(error.action)})

    def done(self) -> None:
        self._write({"type": "done"})

    def _write(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.out.flush()


def to_json_line(event: ui.UIEvent) -> dict[str, Any] | None:
    if isinstance(event, ui.SessionReady):
        return {"type": "session", "session_id": event.session_id, "task_id": event.task_id, "user_id": event.user_id, "claim_url": event.claim_url, "resumed": event.resumed}
    if isinstance(event, ui.Message):
        return {"type": "text", "text": clean(event.text), "complete": event.complete}
    if isinstance(event, ui.ToolActivity):
        return {"type": "tool", "name": clean(event.name), "phase": event.phase, "label": clean(event.label)}
    if isinstance(event, ui.Notice):
        return {"type": "notice", "message": clean(event.message), "kind": event.kind}
    if isinstance(event, ui.Thought):
        return {"type": "thought", "text": clean(event.text)}
    if isinstance(event, ui.QuestionAsked):
        q = event.question
        return {
            "type": "question",
            "title": clean(q.title),
            "questions": [
                {"id": clean(i.id), "prompt": clean(i.prompt), "allow_multiple": i.allow_multiple, "options": [{"id": clean(o.id), "label": clean(o.label)} for o in i.options]}
                for i in q.items
            ],
        }
    if isinstance(event, ui.ActionOffered):
        return {"type": "action", "kind": event.action.kind, "command": event.action.command}
    if isinstance(event, ui.CreditsShown):
        return {"type": "credits", "available": event.available, "frozen": event.frozen, "total": event.total}
    if isinstance(event, ui.StateShown):
        t = event.timeline
        tracks = [{"type": tr.kind, "segments": len(tr.segments), "duration_ms": tr.duration_ms} for tr in t.tracks]
        return {"type": "state", "tracks": tracks, "duration_ms": t.duration_ms, "summary": clean(t.summary())}
    if isinstance(event, ui.ChangesShown):
        return {"type": "changes", "summary": clean(event.summary), "changes": [clean(c) for c in event.lines]}
    if isinstance(event, ui.ErrorShown):
        return {"type": "error", "code": event.code, "message": clean(event.message), "action": clean(event.action)}
    if isinstance(event, ui.ExportDone):
        return {"type": "export", "render_id": clean(event.render_id), "status": event.status,
                "url": clean(event.url) if event.url else None, "path": event.path}
    if isinstance(event, ui.UploadDone):
        files = [{"filename": clean(f.filename), "file_type": clean(f.file_type), "cdn_url": clean(f.cdn_url),
                  "duration": f.duration, "width": f.width, "height": f.height} for f in event.files]
        return {"type": "upload", "files": files, "session_state_applied": event.applied}
    if isinstance(event, ui.VideoReady):
        line = {"type": "video", "provider": event.provider, "task_id": event.task_id and clean(event.task_id), "status": event.status}
        extra = {"url": event.url and clean(event.url), "credits_used": event.credits_used, "path": event.path,
                 "shot_id": event.shot_id and clean(event.shot_id), "job_id": event.job_id}
        return {**line, **{k: v for k, v in extra.items() if v is not None}}
    return None  # deltas, dropped pieces, turn ends, progress bars: not part of the contract
