"""Property-based tests (hypothesis) over what takes server bytes: the event
parser, the REST answer mapping, the sanitizer and ``safe_filename``.

No exception escapes (other than the typed errors), no control character or
bidi override survives the sanitizer, no file name leaves its folder."""

from __future__ import annotations

import os

import json
import unicodedata
from pathlib import Path

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nemochat.clients.bounds import parse_retry_after
from nemochat.clients.http import check
from nemochat.clients.sse import SSEBatcher
from nemochat.core import events
from nemochat.core.sanitize import clean, clean_json, clean_line, safe_filename
from nemochat.errors import NemochatError

# Random here (to keep finding new cases); in CI the same examples every run, so a red CI is reproducible.
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=bool(os.environ.get("CI")))

# Text with what hostile servers send: escapes, C1 controls, bidi overrides, tags, surrogates, line separators.
NASTY = st.sampled_from(["\x1b", "\x1b[31m", "\x1b]0;PWN\x07", "\x1b]8;;http://evil\x1b\\", "\x9b", "\x9d", "\x07", "\r", "\r\n",
                         "\u202e", "\u2066", "\u200f", "\u061c", "\U000e0041", "\U0001f3f4\U000e0067\U000e0062\U000e007f",
                         "\u2028", "\ud800", "\x00", "\x7f", "\u200d", "\ufeff", "/", "\\", "..", ".", "-", " ", "\t", "\n"])
HOSTILE_TEXT = st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=30).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["content", "parts", "text", "partial", "thought", "functionCall", "functionResponse", "name", "args", "id", "type",
         "error", "errorCode", "errorMessage", "code", "message", "data", "questions", "options", "title", "prompt", "label",
         "available", "frozen", "total", "success", "detail"]) | HOSTILE_TEXT, inner, max_size=5),
    max_leaves=20,
)
AGENT_EVENTS = (events.Text, events.ToolCall, events.ToolResult, events.Question, events.Heartbeat, events.AgentError)


def _dump(value) -> str:
    return json.dumps(value, allow_nan=True)


def survivors(text: str, *, newlines: bool) -> list[str]:
    """Characters that must not reach a terminal, found in ``text``."""
    allowed = "\n\t" if newlines else ""
    flags = set()  # tag characters inside a subdivision flag (U+1F3F4 ... U+E007F) are emoji, not smuggling
    for match in __import__("re").finditer("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f", text):
        flags.update(range(match.start(), match.end()))
    bad = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char in allowed or index in flags:
            continue
        if category in ("Cc", "Cs") or (category == "Cf" and char not in "\u200c\u200d") or char in "\u2028\u2029":
            bad.append(char)
    return bad


# -- the event parser ----------------------------------------------------------------------------


@PROPERTY
@given(st.one_of(JSON_VALUES.map(_dump), HOSTILE_TEXT, st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)))
def test_the_event_parser_never_raises(data):
    for parsed in (events.parse_payload(data), events.parse_all([data, data])):
        assert all(isinstance(event, AGENT_EVENTS) for event in parsed)


@PROPERTY
@given(st.binary(max_size=300), st.lists(st.integers(1, 50), max_size=10))
def test_sse_framing_takes_any_bytes_cut_anywhere(raw, cuts):
    batcher, text, at = SSEBatcher(), raw.decode("utf-8", "replace"), 0
    out = []
    for cut in cuts:
        out += batcher.feed(text[at : at + cut]) if text[at : at + cut] else []
        at += cut
    out += batcher.feed(text[at:]) if text[at:] else []
    out += batcher.flush()
    assert all(isinstance(data, str) for data in out) and batcher.pending() >= 0


# -- the REST answer mapping -----------------------------------------------------------------------


@PROPERTY
@given(st.sampled_from([200, 201, 204, 301, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503]),
       st.one_of(JSON_VALUES.map(lambda v: _dump(v).encode()), st.binary(max_size=200), st.just(b"[" * 5000)),
       st.one_of(st.none(), HOSTILE_TEXT, st.sampled_from(["1e9", "inf", "nan", "-1", "Fri, 01 Jan 2099 00:00:00 GMT"])))
def test_every_answer_maps_to_data_or_one_typed_error(status, body, retry_after):
    headers = {"Retry-After": retry_after.encode("utf-8", "surrogatepass")} if retry_after is not None else {}
    response = httpx.Response(status, content=body, headers=headers)
    try:
        check(response, "Reading credits")
    except NemochatError as error:
        assert error.exit_code in (2, 3, 4, 5) and error.message
    assert parse_retry_after(retry_after) is None or parse_retry_after(retry_after) >= 0


# -- the sanitizer ----------------------------------------------------------------------------------


@PROPERTY
@given(HOSTILE_TEXT)
def test_no_control_or_bidi_character_survives_the_sanitizer(text):
    cleaned, line = clean(text), clean_line(text)
    assert not survivors(cleaned, newlines=True)
    assert not survivors(line, newlines=False) and "\n" not in line
    assert clean(cleaned) == cleaned  # nothing left for a second pass
    cleaned.encode("utf-8")  # printable: no lone surrogate


@PROPERTY
@given(JSON_VALUES)
def test_no_string_in_a_json_line_keeps_a_control_character(value):
    text = json.dumps(clean_json(value), ensure_ascii=False, allow_nan=True)
    for string in _strings(json.loads(text)):
        assert not survivors(string, newlines=True)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@PROPERTY
@given(HOSTILE_TEXT, st.integers(1, 120))
def test_no_file_name_leaves_its_folder(name, max_length):
    safe = safe_filename(name, max_length=max_length)
    folder = Path("/srv/videos")
    assert safe and safe not in (".", "..") and "/" not in safe and "\\" not in safe
    assert not safe.startswith((".", "-")) and len(safe) <= max(max_length, len("video"))
    assert (folder / safe).resolve().parent == folder
    assert not survivors(safe, newlines=False) and not any(c.isspace() for c in safe)


# -- the answers' shapes, mapped to values -------------------------------------------------------------

STATE_KEYS = st.sampled_from(["state", "draft", "t", "tt", "sg", "d", "m", "title", "tracks", "segments", "video_infos",
                              "generated_media", "canvas_config", "status", "progress", "outputUrl", "output", "url", "id",
                              "taskId", "videoUrl", "shots", "shotId", "error", "errorCode", "creditsUsed", "data", "width"])
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(STATE_KEYS, inner, max_size=6),
    max_leaves=25,
)


@PROPERTY
@given(SHAPED)
def test_every_answer_shape_maps_to_a_value_or_one_typed_error(value):
    from nemochat.clients import gateway, media, nanophoto
    from nemochat.core.draft import timeline_from_state

    calls = [
        lambda: timeline_from_state(value),
        lambda: media.parse_render_status(value, "render_1"),
        lambda: media._upload_answer(value),
        lambda: nanophoto.sora_status_of(value, "task_1"),
        lambda: nanophoto.veo_status_of(value, [{"shotId": "s1", "taskId": "t1"}]),
        lambda: nanophoto.sora_task_id(value),
        lambda: nanophoto.veo_task_ids(value),
        lambda: gateway.gateway_status_of(value, "task_1"),
        lambda: gateway.task_id_of(value),
    ]
    for call in calls:
        try:
            call()
        except NemochatError:
            pass


@PROPERTY
@given(st.sampled_from(["gzip", "deflate", "identity", "x-gzip"]), st.binary(max_size=400), st.booleans())
def test_inflating_any_body_gives_bounded_pieces_or_a_value_error(encoding, body, compress):
    import gzip
    import zlib

    from nemochat.clients.bounds import PIECE, Inflater

    if compress and encoding != "identity":
        body = gzip.compress(body) if "gzip" in encoding else zlib.compress(body)
    try:
        inflater = Inflater(encoding)
        pieces = [piece for at in range(0, len(body), 7) for piece in inflater.feed(body[at : at + 7])]  # cut anywhere
    except ValueError:
        return
    assert all(isinstance(piece, bytes) and 0 < len(piece) <= max(PIECE, len(body)) for piece in pieces)


# -- links: the target is what the person sees -------------------------------------------------------

URLS = st.sampled_from(["https://nemovideo.com/workspace/claim", "http://evil.example/phish", "https://a.b/c?d=1&e=2",
                        "mailto:x@y.z", "https://例え.jp/ä", "http://evil.example/a b", "#", "", "javascript:alert(1)",
                        "https://x.y/\x1b]8;;http://evil\x1b\\", "file:///etc/passwd"])
LINK_TEXT = st.one_of(URLS, HOSTILE_TEXT, st.just("**bold** `code`"))
MARKDOWN = st.lists(st.one_of(
    st.builds(lambda t, u: f"[{t}]({u})", LINK_TEXT, URLS),
    st.builds(lambda t, u: f"![{t}]({u})", LINK_TEXT, URLS),
    st.builds(lambda u: f"<{u}>", URLS),
    st.builds(lambda t, u: f"[{t}][r]\n\n[r]: {u}\n", LINK_TEXT, URLS),
    HOSTILE_TEXT,
), max_size=6).map(" ".join)


@PROPERTY
@given(MARKDOWN)
@example("[ <https://nemovideo.com/workspace/claim> []](https://nemovideo.com/workspace/claim)")  # an autolink inside a link's text
def test_every_hyperlink_in_an_answer_shows_its_own_target(text):
    import io

    from links_helpers import hyperlinks
    from rich.console import Console

    from nemochat.ui.markdown_render import markdown

    console = Console(file=io.StringIO(), force_terminal=True, width=300, color_system="truecolor")
    console.print(markdown(clean(text)))
    for target, shown in hyperlinks(console.file.getvalue()):
        assert target == shown.replace("\n", ""), (target, shown)
