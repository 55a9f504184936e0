"""SSE payloads → typed agent events (sans-I/O).

`/run_sse` speaks two dialects (protocol.md, "The SSE stream"):

- ADK Event JSON: ``{"invocationId", "author", "partial", "content": {"parts": [...]},
  "errorCode", ...}`` where a part is text (maybe ``thought: true``), a
  ``functionCall`` or a ``functionResponse``;
- typed events: ``{"type": "text" | "tool_call" | "tool_result" | "heartbeat", ...}``.

Plus ``{"error": "..."}`` when the server fails mid-run, which older ADK built
with an f-string, so it may not even be JSON. `parse_payload` takes the
``data`` of one SSE event and returns the agent events it carries; shapes it
does not know become nothing, never an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Union

from nemochat.core import json_safe

__all__ = [
    "AgentError",
    "AgentEvent",
    "Heartbeat",
    "Question",
    "QuestionItem",
    "QuestionOption",
    "Text",
    "ToolCall",
    "ToolResult",
    "parse_all",
    "parse_payload",
]


# Not frozen, unlike its neighbours: a frozen dataclass's __init__ sets each
# field through object.__setattr__ and costs ~3x, and a stream brings one Text
# per event (100k in a long turn). Nothing mutates one; treat it as a value.
@dataclass(slots=True)
class Text:
    """Assistant text. ``partial`` pieces carry only what is new; a final
    (non-partial) event repeats the whole text of its LLM call."""

    text: str
    partial: bool = False
    stream: str = ""  # links partials to their final: invocationId + author
    thought: bool = False


@dataclass(frozen=True, slots=True)
class ToolCall:
    name: str
    args: dict[str, Any] = field(default_factory=dict, compare=False)
    call_id: str = ""


@dataclass(frozen=True, slots=True)
class ToolResult:
    name: str
    response: Any = field(default=None, compare=False)
    call_id: str = ""


@dataclass(frozen=True, slots=True)
class QuestionOption:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class QuestionItem:
    id: str
    prompt: str
    options: tuple[QuestionOption, ...]
    allow_multiple: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """The agent's multiple-choice question (an ``ask_question`` call)."""

    title: str
    items: tuple[QuestionItem, ...]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Keep-alive: a typed heartbeat or an empty ``data:``."""


@dataclass(frozen=True, slots=True)
class AgentError:
    """The server failed during the run (``{"error"}`` or ``errorCode``)."""

    message: str
    code: str | None = None


AgentEvent = Union[Text, ToolCall, ToolResult, Question, Heartbeat, AgentError]


try:
    # Half of the work per event is parsing its JSON; orjson does it in about
    # half the time of json.loads. What it refuses (NaN, lone surrogates, a
    # BOM...) goes to json.loads, which decides. (Integers past 64 bits come
    # back as floats: no field the client reads is one.)
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency; a platform without its wheel still works
    _fast_loads = json.loads


def _loads(data: str) -> Any:
    """``json.loads``, faster: streams bring up to ~100k events a minute."""
    try:
        return _fast_loads(data)
    except ValueError:
        return json_safe.loads(data)  # (ValueError for all it refuses: invalid UTF-8, TooDeep)


def parse_all(batch: list[str]) -> list[AgentEvent]:
    """``parse_payload`` over the ``data`` of several events (one network
    read's worth), in order. The usual event (one piece of text, nothing
    wrong) is recognised here, without a call or a tuple each: a stream
    brings ~100k of them."""
    out: list[AgentEvent] = []
    append = out.append
    for data in batch:
        try:
            payload = _fast_loads(data)
        except ValueError:
            payload = None
        if type(payload) is dict:
            content = payload.get("content")
            if type(content) is dict and type(parts := content.get("parts")) is list and len(parts) == 1:
                part = parts[0]
                if (type(part) is dict and type(text := part.get("text")) is str and "errorCode" not in payload
                        and "errorMessage" not in payload and "thought" not in part):
                    append(Text(text, payload.get("partial") is True, f"{payload.get('invocationId', '')}/{payload.get('author', '')}"))
                    continue
        out += parse_payload(data)
    return out


def parse_payload(data: str) -> tuple[AgentEvent, ...]:
    """Turn the ``data`` of one SSE event into agent events."""
    try:
        payload = _loads(data)
    except json_safe.TooDeep:  # a protocol error, not a RecursionError
        return (AgentError("the agent's stream sent an event nested too deeply to read", code="bad_event"),)
    except ValueError:
        return (Heartbeat(),) if not data.strip() else _parse_non_json(data)
    if type(payload) is not dict:
        return ()
    if payload.get("error") is not None and "content" not in payload:
        return (AgentError(message=_error_text(payload["error"]), code=_opt_str(payload.get("code"))),)
    if isinstance(payload.get("type"), str) and not isinstance(payload.get("content"), dict):
        return _parse_typed(payload)
    return _parse_adk(payload)


# -- ADK events ---------------------------------------------------------------


def _parse_adk(event: dict[str, Any]) -> tuple[AgentEvent, ...]:
    content = event.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    out: list[AgentEvent] = []
    if isinstance(parts, list) and parts:
        stream = f"{event.get('invocationId', '')}/{event.get('author', '')}"
        partial = event.get("partial") is True
        for part in parts:
            if not isinstance(part, dict):
                continue
            text = part.get("text")
            if isinstance(text, str):
                thought = part.get("thought") is True
                if out and isinstance(previous := out[-1], Text) and previous.thought == thought:
                    # One model turn may split its text into several parts (non-streaming
                    # Gemini does): it is still one message, as ADK's own aggregator joins them.
                    out[-1] = Text(previous.text + text, partial, stream, thought)
                else:
                    out.append(Text(text, partial, stream, thought))
            elif isinstance(part.get("functionCall"), dict):
                out.append(_tool_call(part["functionCall"]))
            elif isinstance(part.get("functionResponse"), dict):
                response = part["functionResponse"]
                out.append(ToolResult(_str(response.get("name")), response.get("response"), _str(response.get("id"))))
    if event.get("errorCode") or event.get("errorMessage"):
        message = _str(event.get("errorMessage")) or f"the agent stopped ({event.get('errorCode')})"
        out.append(AgentError(message=message, code=_opt_str(event.get("errorCode"))))
    return tuple(out)


def _tool_call(call: dict[str, Any]) -> AgentEvent:
    name = _str(call.get("name"))
    args = call.get("args") if isinstance(call.get("args"), dict) else {}
    if name == "ask_question":
        question = _question(args)
        if question is not None:
            return question
    return ToolCall(name, args, _str(call.get("id")))


def _question(args: dict[str, Any]) -> Question | None:
    items = []
    for raw in _list(args.get("questions")):
        if not isinstance(raw, dict):
            continue
        options = tuple(
            QuestionOption(_str(o.get("id")) or _str(o.get("label")), _str(o.get("label")) or _str(o.get("id")))
            for o in _list(raw.get("options"))
            if isinstance(o, dict)
        )
        items.append(QuestionItem(_str(raw.get("id")), _str(raw.get("prompt")), options, raw.get("allow_multiple") is True))
    if not items:
        return None
    return Question(_str(args.get("title")), tuple(items))


# -- typed events -------------------------------------------------------------


def _parse_typed(event: dict[str, Any]) -> tuple[AgentEvent, ...]:
    kind = event.get("type")
    if kind == "text":
        content = event.get("content")
        return (Text(content),) if isinstance(content, str) else ()
    if kind == "tool_call":
        return (_tool_call({"name": event.get("name"), "args": event.get("args"), "id": event.get("id")}),)
    if kind == "tool_result":
        return (ToolResult(_str(event.get("name")), event.get("result"), _str(event.get("id"))),)
    if kind in ("heartbeat", "ping"):
        return (Heartbeat(),)
    if kind == "error":
        return (AgentError(_error_text(event.get("message") or event.get("error")), _opt_str(event.get("code"))),)
    return ()


# -- defensive paths ----------------------------------------------------------

# ADK once built error events with an f-string: `{"error": "got "x""}` is not JSON,
# and a message with a newline in it even ends the data line early, so the
# closing brace may be missing too.
_LOOSE_ERROR = re.compile(r"""^\s*\{\s*["']error["']\s*:\s*(?P<msg>.*?)\s*\}?\s*$""", re.DOTALL)


def _parse_non_json(data: str) -> tuple[AgentEvent, ...]:
    match = _LOOSE_ERROR.match(data)
    if match:
        return (AgentError(message=_unquote(match["msg"]) or "the server failed"),)
    return ()


def _unquote(text: str) -> str:
    """Drop the quotes around a loose message, and only those."""
    text = text.strip()
    if text[:1] in ('"', "'"):
        quote, text = text[0], text[1:]
        if text.endswith(quote):
            text = text[:-1]
    return text.strip()


def _error_text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("message") or value.get("msg") or json_safe.dumps_short(value, 2000)
    text = _str(value)
    return text or "the server failed"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "", 0) else str(value)
