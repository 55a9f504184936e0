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
from collections.abc import Callable
from typing import Any, TypeGuard

from nemochat.core import json_safe

__all__ = [
    "AgentError",
    "AgentEvent",
    "ArtifactSaved",
    "Handoff",
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
    """A function call. ADK streams it in a ``partial`` event and repeats it
    in the final event of the same model call, with the same ``call_id``."""

    name: str
    args: dict[str, Any] = field(default_factory=dict, compare=False)
    call_id: str = ""
    partial: bool = field(default=False, compare=False)
    stream: str = field(default="", compare=False)  # as Text.stream


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
    key: str = field(default="", compare=False)  # when the words are nemochat's (the server gave none): the catalogue's


@dataclass(frozen=True, slots=True)
class Handoff:
    """Another agent takes over the turn (ADK's ``transfer_to_agent``)."""

    agent: str


@dataclass(frozen=True, slots=True)
class ArtifactSaved:
    """A tool saved a file in the session (ADK's ``actions.artifactDelta``)."""

    name: str
    version: int | None = None


AgentEvent = Text | ToolCall | ToolResult | Question | Heartbeat | AgentError | Handoff | ArtifactSaved

# ADK's own tool for handing the turn to another agent: a handoff, not a tool to show.
TRANSFER_TOOL = "transfer_to_agent"


try:
    # Half of the work per event is parsing its JSON; orjson does it in about
    # half the time of json.loads. What it refuses (NaN, lone surrogates, a
    # BOM...) goes to json.loads, which decides. (Integers past 64 bits come
    # back as floats: no field the client reads is one.)
    from orjson import loads as _orjson_loads

    _fast_loads: Callable[[str], Any] = _orjson_loads
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
                        and "errorMessage" not in payload and "thought" not in part and not _acts(payload.get("actions"))):
                    append(Text(text, payload.get("partial") is True, f"{payload.get('invocationId', '')}/{payload.get('author', '')}"))
                    continue
        out += parse_payload(data)
    return out


def parse_payload(data: str) -> tuple[AgentEvent, ...]:
    """Turn the ``data`` of one SSE event into agent events."""
    try:
        payload = _loads(data)
    except json_safe.TooDeep:  # a protocol error, not a RecursionError
        return (AgentError("the agent's stream sent an event nested too deeply to read", code="bad_event", key="agent.too_deep"),)
    except ValueError:
        return (Heartbeat(),) if not data.strip() else _parse_non_json(data)
    if type(payload) is not dict:
        return ()
    if payload.get("error") is not None and "content" not in payload:
        return (AgentError(message=_error_text(payload["error"]), code=_opt_str(payload.get("code")) or _error_code(payload)),)
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
                if (called := _tool_call(part["functionCall"], partial, stream)) is not None:
                    out.append(called)
            elif isinstance(part.get("functionResponse"), dict):
                response = part["functionResponse"]
                if response.get("name") != TRANSFER_TOOL:  # (the handoff is in actions.transferToAgent)
                    out.append(ToolResult(_str(response.get("name")), response.get("response"), _str(response.get("id"))))
    actions = event.get("actions")
    if _acts(actions):
        out += _actions(actions)
    if event.get("errorCode") or event.get("errorMessage"):
        message = error_words(_str(event.get("errorMessage")))
        out.append(AgentError(message=message or f"the agent stopped ({_str(event.get('errorCode'))})", code=_opt_str(event.get("errorCode")),
                              key="" if message else "agent.stopped"))
    return tuple(out)


def _acts(actions: Any) -> TypeGuard[dict[str, Any]]:
    """Whether an event's ``actions`` say something shown: a handoff or a saved file
    (most events carry empty ``stateDelta``/``artifactDelta``)."""
    return type(actions) is dict and bool(actions.get("transferToAgent") or actions.get("artifactDelta"))


def _actions(actions: dict[str, Any]) -> list[AgentEvent]:
    out: list[AgentEvent] = []
    delta = actions.get("artifactDelta")
    if isinstance(delta, dict):
        for name, version in delta.items():
            if isinstance(name, str) and name:
                out.append(ArtifactSaved(name, version if type(version) is int else None))
    agent = actions.get("transferToAgent")
    if isinstance(agent, str) and agent:
        out.append(Handoff(agent))
    return out


def _tool_call(call: dict[str, Any], partial: bool = False, stream: str = "") -> AgentEvent | None:
    name = _str(call.get("name"))
    if name == TRANSFER_TOOL:  # the handoff itself is the response's actions.transferToAgent
        return None
    raw_args = call.get("args")
    args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
    if name == "ask_question":
        question = _question(args)
        if question is not None:
            return question
    return ToolCall(name, args, _str(call.get("id")), partial, stream)


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
        called = _tool_call({"name": event.get("name"), "args": event.get("args"), "id": event.get("id")})
        return () if called is None else (called,)
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
        said = _unquote(match["msg"])
        return (AgentError(message=said or "the server failed", key="" if said else "agent.failed"),)
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
    text = error_words(_str(value))
    return text or "the server failed"


# A message inside a Python repr or JSON of an error, as google-genai's errors print:
# "503 UNAVAILABLE. {'error': {'code': 503, 'message': 'The model is overloaded.', ...}}"
_INNER_MESSAGE = re.compile(r"""["']message["']\s*:\s*(?P<q>["'])(?P<msg>(?:\\.|(?!(?P=q))[^\\])*)(?P=q)""", re.DOTALL)
_EXCEPTION_NAME = re.compile(r"^[A-Z][A-Za-z0-9_.]*(?:Error|Exception):\s+")
_STATUS_WORD = re.compile(r"^\s*(?:ServerError:\s*|ClientError:\s*)?\d{3}\s+(?P<status>[A-Z_]+)\b")


def error_words(text: str) -> str:
    """The words of an error message: the ``message`` inside a repr'd or JSON
    error body when there is one ("The model is overloaded..."), else the text
    without a leading exception class name ("ServerError: ")."""
    text = text.strip()
    match = _INNER_MESSAGE.search(text[:65536])
    if match and match["msg"].strip():
        return re.sub(r"\\(.)", r"\1", match["msg"]).strip()
    return _EXCEPTION_NAME.sub("", text, count=1)


def _error_code(payload: dict[str, Any]) -> str | None:
    """A code for ``{"error": "ServerError: 503 UNAVAILABLE. {...}"}`` (ADK 2.x's
    failed run): the status word ("UNAVAILABLE"), else ``error_details.error_type``."""
    error = payload.get("error")
    if isinstance(error, str) and (match := _STATUS_WORD.match(error)):
        return match["status"]
    details = payload.get("error_details")
    return _opt_str(details.get("error_type")) if isinstance(details, dict) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "", 0) else str(value)
