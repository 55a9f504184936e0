"""Playing a script as a ``/run_sse`` stream.

The agent runs in its own task and writes SSE frames into a queue; the HTTP
response reads the queue. Why: like the real backend, a turn goes on (and
spends credits, and edits the draft) even when the client's stream dies.

Two payload shapes (protocol.md): ADK events (camelCase, streamed partials, a
final event repeating the whole text, function responses split in two when
they carry an artifact delta, `: ping` comments while tools run) and typed
events (``{"type": "text" | "tool_call" | "tool_result" | "heartbeat"}``).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from collections.abc import AsyncIterator

from nemochat.sim.agent import ModelCall, Script, ToolRun
from nemochat.sim.faults import DropStream, ErrorCodeEvent, ErrorEvent, SimulatedDrop, SlowHeartbeats
from nemochat.sim.world import SimWorld

AUTHOR = "nemo_agent"
COMMENT_PING = b": ping\n\n"

Payload = dict[str, Any]


def frame(payload: Payload) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def split_pieces(text: str) -> list[str]:
    """Streaming pieces of about 12 characters that join back to `text`;
    runs without spaces (Chinese) are cut every 6 characters."""
    pieces, current = [], ""
    for word in re.findall(r"\s*\S+\s*|\s+", text):
        for chunk in [word[i:i + 6] for i in range(0, len(word), 6)] if len(word) > 12 else [word]:
            current += chunk
            if len(current) >= 12:
                pieces.append(current)
                current = ""
    return pieces + [current] if current else pieces


class AdkEncoder:
    """ADK Event JSON, as ``model_dump_json(exclude_none=True, by_alias=True)`` gives it."""

    def __init__(self) -> None:
        self.invocation_id = f"e-{uuid.uuid4()}"

    def partial(self, piece: str) -> list[Payload]:
        return [self._event({"role": "model", "parts": [{"text": piece}]}, partial=True)]

    def final(self, call: ModelCall) -> list[Payload]:
        parts: list[Payload] = [{"text": call.thought, "thought": True}] if call.thought else []
        parts += [{"text": call.text}] if call.text else []
        parts += [{"functionCall": {"id": c.call_id, "name": c.name, "args": dict(c.args)}}
                  for c in call.calls]
        return [self._event({"role": "model", "parts": parts}, partial=False, finishReason="STOP")]

    def tool_result(self, run: ToolRun) -> list[Payload]:
        response = {"id": run.call.call_id, "name": run.call.name, "response": dict(run.response)}
        event = self._event({"role": "user", "parts": [{"functionResponse": response}]})
        if run.artifact is None:
            return [event]
        # ADK's server streams such an event twice with the same id: content with
        # the delta cleared, then the artifact delta alone.
        delta_only = {k: v for k, v in event.items() if k != "content"}
        delta_only["actions"] = {"stateDelta": {}, "artifactDelta": {run.artifact: 0}}
        return [event, delta_only]

    def error_code(self, fault: ErrorCodeEvent) -> Payload:
        return self._event(None, errorCode=fault.code, errorMessage=fault.message)

    def heartbeat(self) -> bytes:
        return COMMENT_PING

    def _event(self, content: Payload | None, **extra: Any) -> Payload:
        event: Payload = {"id": str(uuid.uuid4()), "invocationId": self.invocation_id,
                          "author": AUTHOR, "timestamp": time.time()}
        if content is not None:
            event["content"] = content
        event.update(extra)
        event["actions"] = {"stateDelta": {}, "artifactDelta": {}}
        return event


class TypedEncoder:
    """The typed shape: one text event per model call, no partials."""

    def __init__(self) -> None:
        self._adk = AdkEncoder()  # error-code events only exist in ADK's shape

    def partial(self, piece: str) -> list[Payload]:
        return []

    def final(self, call: ModelCall) -> list[Payload]:
        text = [{"type": "text", "content": call.text}] if call.text else []
        return text + [{"type": "tool_call", "name": c.name, "args": dict(c.args)} for c in call.calls]

    def tool_result(self, run: ToolRun) -> list[Payload]:
        return [{"type": "tool_result", "name": run.call.name, "result": dict(run.response)}]

    def error_code(self, fault: ErrorCodeEvent) -> Payload:
        return self._adk.error_code(fault)

    def heartbeat(self) -> bytes:
        return frame({"type": "heartbeat"})


@dataclass(frozen=True)
class StreamFaults:
    """The stream faults taken for one turn (None = not this time)."""

    drop: DropStream | None = None
    error_event: ErrorEvent | None = None
    error_code_event: ErrorCodeEvent | None = None
    slow_heartbeats: SlowHeartbeats | None = None


_END = None  # queue sentinel: the agent is done


class Turn:
    """One ``/run_sse`` run: ``start()`` the agent, then stream ``frames()``."""

    def __init__(self, world: SimWorld, session_id: str, user_id: str, script: Script,
                 shape: str, faults: StreamFaults) -> None:
        self._world = world
        self._session_id = session_id
        self._user_id = user_id
        self._script = script
        self._encoder = TypedEncoder() if shape == "typed" else AdkEncoder()
        self._faults = faults
        self._queue: asyncio.Queue[tuple[bytes, bool] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._completed = False

    def start(self) -> None:
        self._world.turn_started()
        self._task = asyncio.create_task(self._play())
        _RUNNING.add(self._task)
        self._task.add_done_callback(self._finished)

    async def frames(self) -> AsyncIterator[bytes]:
        """The response body; fires the stream faults on the way."""
        sent = 0
        while (item := await self._queue.get()) is not _END:
            data, is_event = item
            if is_event:
                if ending := self._ending(sent):
                    yield ending
                    return
                if self._faults.drop and sent >= self._faults.drop.events:
                    if self._faults.drop.mid_event:
                        yield data[: len(data) // 2]
                    raise SimulatedDrop("drop_stream_after")
                sent += 1
            yield data
        # The turn had fewer events than the faults waited for: fire them at the end.
        if ending := self._ending(sent, at_end=True):
            yield ending
        if self._faults.drop:
            raise SimulatedDrop("drop_stream_after")

    def _ending(self, sent: int, at_end: bool = False) -> bytes | None:
        """An error that ends the run here, if a fault says so (the agent stops too)."""
        error, coded = self._faults.error_event, self._faults.error_code_event
        if error and (at_end or sent >= error.after_events):
            data = (f'data: {{"error": "{error.message}"}}\n\n'.encode() if error.fstring
                    else frame({"error": error.message}))
        elif coded and (at_end or sent >= coded.after_events):
            data = frame(self._encoder.error_code(coded))
        else:
            return None
        if self._task is not None:
            self._task.cancel()
        return data

    # the agent ---------------------------------------------------------
    async def _play(self) -> None:
        try:
            if slow := self._faults.slow_heartbeats:
                await self._wait(slow.silence_s, slow.interval_s, self._beat_style(slow.style))
            for step in self._script.steps:
                if isinstance(step, ModelCall):
                    await self._model_call(step)
                else:
                    await self._tool_run(step)
            self._completed = True
        except Exception as exc:  # a bug in a script: fail the run the way ADK does
            self._put(frame({"error": str(exc)}), True)

    def _finished(self, task: asyncio.Task[None]) -> None:
        # A done callback, not a `finally`: it also runs for a task cancelled
        # before it ever started.
        _RUNNING.discard(task)
        if self._script.cost:
            self._world.settle(self._user_id, self._script.cost, refund=not self._completed)
        self._queue.put_nowait(_END)
        self._world.turn_finished()

    async def _model_call(self, call: ModelCall) -> None:
        settings = self._world.settings
        await asyncio.sleep(settings.delay(settings.think_s))
        for piece in split_pieces(call.text):
            for payload in self._encoder.partial(piece):
                self._put(frame(payload), True)
                await asyncio.sleep(settings.delay(settings.piece_s))
        for payload in self._encoder.final(call):
            self._put(frame(payload), True)

    async def _tool_run(self, run: ToolRun) -> None:
        settings = self._world.settings
        self._put(self._encoder.heartbeat(), False)  # one as the tool starts, even at time_scale 0
        await self._wait(settings.delay(getattr(settings, run.wait)),
                         settings.delay(settings.heartbeat_s), self._encoder.heartbeat())
        if run.edit is not None:
            self._world.edit_session(self._session_id, run.edit)
        for payload in self._encoder.tool_result(run):
            self._put(frame(payload), True)

    async def _wait(self, total_s: float, interval_s: float, beat: bytes) -> None:
        """Wait `total_s`, sending `beat` every `interval_s` meanwhile."""
        beats = int(total_s // interval_s) if interval_s > 0 else 0
        for _ in range(beats):
            await asyncio.sleep(interval_s)
            self._put(beat, False)
        await asyncio.sleep(total_s - beats * interval_s)

    def _beat_style(self, style: str | None) -> bytes:
        return {"comment": COMMENT_PING, "typed": frame({"type": "heartbeat"}),
                "empty": b"data:\n\n"}.get(style or "", self._encoder.heartbeat())

    def _put(self, data: bytes, is_event: bool) -> None:
        self._queue.put_nowait((data, is_event))


# Why: asyncio keeps only weak references to tasks; a turn must not vanish mid-run.
_RUNNING: set[asyncio.Task[None]] = set()


def cancel_turns() -> None:
    """Stop the agents running on this event loop (one simulator's): their
    streams then end at once, so the server can shut down quickly and quietly."""
    loop = asyncio.get_running_loop()
    for task in [t for t in _RUNNING if t.get_loop() is loop]:
        task.cancel()
