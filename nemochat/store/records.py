"""What the ledger hands out: plain frozen values, no database handles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JOB_KINDS = ("render", "sora2", "veo3.1", "gateway")
# A job in one of these states will not change any more; every other state is "open".
FINAL_STATUSES = frozenset({"completed", "succeeded", "failed", "cancelled", "canceled", "error", "expired"})


@dataclass(frozen=True)
class SessionRecord:
    id: str
    api_base: str
    task_id: str | None
    user_id: str | None
    language: str | None
    title: str | None
    created: float
    last_used: float
    turns: int = 0
    last_video: str | None = None  # a local file when one was saved, else a URL


@dataclass(frozen=True)
class TurnItem:
    kind: str  # "text" | "tool" | "thought" | "question"
    body: str
    complete: bool
    at: float


@dataclass(frozen=True)
class TurnRecord:
    id: int
    session_id: str
    user_text: str
    started: float
    ended: float | None
    silent: bool | None  # None: the turn never finished normally
    error_code: str | None
    error: str | None
    changes: tuple[str, ...] = ()
    credits_before: float | None = None
    credits_after: float | None = None
    items: tuple[TurnItem, ...] = ()

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(i.body for i in self.items if i.kind == "text")

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(i.body for i in self.items if i.kind == "tool")

    @property
    def finished(self) -> bool:
        return self.ended is not None


@dataclass(frozen=True)
class JobRecord:
    id: int
    kind: str
    session_id: str | None
    api_key_hint: str | None
    task_ids: dict[str, Any] | list[Any] | str | None
    params: dict[str, Any] = field(hash=False)
    status: str = "created"
    urls: tuple[str, ...] = ()
    local_files: tuple[str, ...] = ()
    error: str | None = None
    credits_used: float | None = None
    created: float = 0.0
    updated: float = 0.0

    @property
    def open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def task_id(self) -> str | None:
        """The first provider task id (a render id, a Sora task, a Veo shot's task)."""
        ids = task_id_strings(self.task_ids)
        return ids[0] if ids else None


def task_id_strings(task_ids: object) -> list[str]:
    """Every task id in what a provider answered: ``"t1"``, ``{"s1": "t1"}``,
    ``[{"shotId": "s1", "taskId": "t1"}]`` or ``{"shots": [...]}``."""
    if isinstance(task_ids, str):
        return [task_ids] if task_ids else []
    if isinstance(task_ids, dict):
        for key in ("taskId", "task_id", "id"):
            if isinstance(task_ids.get(key), str):
                return [task_ids[key]]
        return [t for value in task_ids.values() for t in task_id_strings(value)]
    if isinstance(task_ids, (list, tuple)):
        return [t for value in task_ids for t in task_id_strings(value)]
    return []
