"""The backend's draft (t/tt/sg/d/m) as a timeline: decoded, summarized, compared.

A draft, in the backend's short names (protocol.md):

    {"t": [{"tt": 0, "sg": [{"st": 0, "et": 10000, "n": "city timelapse"}]}, ...],
     "d": 10000, "m": {"title": "Urban Dreams"}}

`tt` is the track type: 0 video, 1 audio/BGM, 7 text/title; anything else is
"other" and still summarized. The real backend is undocumented, so decoding is
liberal: several spellings of every field are accepted (see `_START` etc.),
a draft may arrive as a JSON string, and malformed tracks or segments are
skipped, never raised. Times are milliseconds. Every label is server text, so
it passes through the sanitizer here, once.

A silent turn (no text from the agent) is explained by `diff_timelines`:
"added a text track: 'Urban Dreams' 0-3 s".
"""

from __future__ import annotations


from nemochat.core import json_safe
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from nemochat.core.sanitize import clean_line
from nemochat.core.texts import Said, say

__all__ = ["Segment", "Timeline", "Track", "TrackKind", "decode_draft", "diff_timelines", "timeline_from_state"]

TrackKind = Literal["video", "audio", "text", "other"]

_KIND_BY_CODE: dict[int, TrackKind] = {0: "video", 1: "audio", 7: "text"}
_KIND_BY_NAME: dict[str, TrackKind] = {
    "video": "video", "audio": "audio", "bgm": "audio", "music": "audio",
    "text": "text", "title": "text", "subtitle": "text", "caption": "text",
}
_MAX_LISTED = 3  # segments named per track before "+N more"
_MAX_LABEL = 40

# Accepted spellings, first match wins.
_TRACKS = ("t", "tracks")
_TRACK_TYPE = ("tt", "type", "track_type", "kind")
_SEGMENTS = ("sg", "segments", "segs", "clips", "items")
_START = ("s", "st", "start", "start_ms", "startMs", "start_time", "from")
_END = ("e", "et", "end", "end_ms", "endMs", "end_time", "to")
_LENGTH = ("d", "duration", "dur", "duration_ms", "length")
_LABEL = ("tx", "text", "title", "name", "n", "label", "prompt", "content")
_SOURCE = ("url", "u", "src", "source", "path", "file")
_VOLUME = ("v", "vl", "volume", "vol")


@dataclass(frozen=True)
class Segment:
    start_ms: int
    end_ms: int
    label: str
    volume: float | None = None  # 0..1 when known


@dataclass(frozen=True)
class Track:
    kind: TrackKind
    type_code: int | None
    segments: tuple[Segment, ...]

    @property
    def duration_ms(self) -> int:
        return max((segment.end_ms for segment in self.segments), default=0)

    @property
    def heading(self) -> str:
        return self.heading_in("en")

    def heading_in(self, lang: str) -> str:
        if self.kind == "other" and self.type_code is not None:
            return say(lang, "track.typed", code=self.type_code)
        return say(lang, "track." + self.kind)

    def summary(self, index: int, lang: str = "en") -> str:
        """ "1. Video: city timelapse (0-10s)"; audio adds its volume: "(0-10s, 35%)"."""
        heading = self.heading_in(lang)
        if not self.segments:
            return f"{index}. {heading}: {say(lang, 'track.empty')}"
        listed = [
            f"{s.label} ({_seconds(s.start_ms)}-{_seconds(s.end_ms)}s{_volume_suffix(s, ', ')})"
            for s in self.segments[:_MAX_LISTED]
        ]
        more = len(self.segments) - _MAX_LISTED
        return f"{index}. {heading}: {', '.join(listed)}" + (say(lang, "track.more", count=more) if more > 0 else "")


@dataclass(frozen=True)
class Timeline:
    tracks: tuple[Track, ...]
    duration_ms: int
    title: str | None

    @property
    def exportable(self) -> bool:
        """protocol.md: a draft is exportable when a track has segments."""
        return any(track.segments for track in self.tracks)

    def summary_lines(self, lang: str = "en") -> list[str]:
        return [track.summary(index, lang) for index, track in enumerate(self.tracks, start=1)]

    def summary(self) -> str:
        return "  ".join(self.summary_lines()) or "empty draft"


EMPTY = Timeline(tracks=(), duration_ms=0, title=None)


# --- decoding --------------------------------------------------------------------


def decode_draft(draft: Mapping[str, Any] | str | None) -> Timeline:
    """A Timeline from a draft (a mapping or its JSON text); garbage gives an empty one."""
    draft = _as_mapping(draft)
    if draft is None:
        return EMPTY
    raw_tracks = _first(draft, _TRACKS)
    tracks = tuple(
        track for track in map(_decode_track, raw_tracks if isinstance(raw_tracks, list) else []) if track
    )
    duration = _ms(_first(draft, ("d", "duration", "duration_ms")))
    if duration is None:
        duration = max((track.duration_ms for track in tracks), default=0)
    meta = _as_mapping(_first(draft, ("m", "meta", "metadata"))) or {}
    title = _text(_first(meta, ("title", "name"))) or _text(draft.get("title"))
    return Timeline(tracks=tracks, duration_ms=duration, title=title)


def timeline_from_state(payload: Mapping[str, Any] | str | None) -> Timeline:
    """The Timeline inside a state answer: the envelope, `data`, `state`, or the draft itself."""
    node = _as_mapping(payload)
    for _ in range(5):  # envelope -> data -> state -> draft, at most
        if node is None:
            break
        if any(key in node for key in _TRACKS):
            return decode_draft(node)
        node = _as_mapping(_first(node, ("draft", "state", "data")))
    return EMPTY


def _decode_track(raw: Any) -> Track | None:
    if not isinstance(raw, Mapping):
        return None
    type_value = _first(raw, _TRACK_TYPE)
    number = _number(type_value)
    code = int(number) if number is not None and number.is_integer() else None
    kind = _KIND_BY_CODE.get(code, "other") if code is not None else _KIND_BY_NAME.get(str(type_value).lower(), "other")
    track_volume = _volume(_first(raw, _VOLUME))
    raw_segments = _first(raw, _SEGMENTS)
    segments = (_decode_segment(s, track_volume) for s in (raw_segments if isinstance(raw_segments, list) else []))
    return Track(kind=kind, type_code=code, segments=tuple(s for s in segments if s))


def _decode_segment(raw: Any, track_volume: float | None) -> Segment | None:
    if not isinstance(raw, Mapping):
        return None
    given = [_first(raw, keys) for keys in (_START, _END, _LENGTH)]
    start, end, length = times = [_ms(value) for value in given]
    if any(value is not None and time is None for value, time in zip(given, times, strict=False)):
        return None  # present but not a time: a broken segment, not a missing field
    if end is None and length is not None:
        end = (start or 0) + length
    if start is None and end is not None:
        start = max(0, end - length) if length is not None else 0
    if start is None or end is None or end < start:
        return None
    label = _label(raw) or "untitled"
    volume = _volume(_first(raw, _VOLUME))
    return Segment(start, end, label, volume if volume is not None else track_volume)


def _label(raw: Mapping[str, Any]) -> str | None:
    for key in _LABEL:
        value = raw.get(key)
        if isinstance(value, Mapping):  # {"text": {"content": "..."}}
            value = _first(value, ("text", "content", "value"))
        if text := _text(value):
            return text
    source = _first(raw, _SOURCE)
    if isinstance(source, str):
        return _text(unquote(urlsplit(source).path.rstrip("/").rsplit("/", 1)[-1]))
    return None


def _text(value: Any) -> str | None:
    """Sanitized one-line text, shortened for a summary; None when empty or not text."""
    if not isinstance(value, str):
        return None
    text = clean_line(value)
    if len(text) > _MAX_LABEL:
        text = text[: _MAX_LABEL - 1].rstrip() + "…"
    return text or None


def _as_mapping(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, (str, bytes)):  # some backends send the draft as JSON text
        try:
            value = json_safe.loads(value)
        except ValueError:  # (nested too deep too)
            return None
    return value if isinstance(value, Mapping) else None


def _first(mapping: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return next((mapping[key] for key in keys if mapping.get(key) is not None), None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):  # True is an int in Python, never a time here
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _ms(value: Any) -> int | None:
    number = _number(value)
    return round(number) if number is not None and number >= 0 else None


def _volume(value: Any) -> float | None:
    """0..1 as is; 1..100 is a percentage (the simulator's `vl`); anything else unknown."""
    number = _number(value)
    if number is None or number < 0 or number > 100:
        return None
    return number if number <= 1 else number / 100


# --- formatting ------------------------------------------------------------------


def _seconds(ms: int) -> str:
    """10000 -> "10", 2500 -> "2.5"."""
    return f"{ms / 1000:.1f}".removesuffix(".0")


def _volume_suffix(segment: Segment, separator: str) -> str:
    return f"{separator}{_percent(segment.volume)}" if segment.volume is not None else ""


def _percent(volume: float | None) -> str:
    return f"{round(volume * 100)}%" if volume is not None else "default"


def _volume_said(volume: float | None) -> Said:
    return Said.of("change.percent", percent=round(volume * 100)) if volume is not None else Said.of("change.default")


def _span(segment: Segment) -> Said:
    return Said.of("change.span", start=_seconds(segment.start_ms), end=_seconds(segment.end_ms))


def _describe(segment: Segment) -> Said:
    """ "'Lo-fi' 0-10 s at 35%" """
    if segment.volume is None:
        return Said.of("change.segment", label=segment.label, span=_span(segment))
    return Said.of("change.segment_at", label=segment.label, span=_span(segment), volume=_volume_said(segment.volume))


def _describe_all(segments: tuple[Segment, ...]) -> Said:
    listed = tuple(_describe(s) for s in segments[: _MAX_LISTED])
    more = len(segments) - _MAX_LISTED
    return Said.of("change.list_more", listed=listed, count=more) if more > 0 else Said.of("change.list", listed=listed)


# --- diff --------------------------------------------------------------------------


def diff_timelines(before: Timeline, after: Timeline) -> tuple[str, ...]:
    """What changed, as short phrases; () when nothing visible did. Each is a
    catalogue line (``core.texts.Said``): English as a string, and a view says it
    in its own language."""
    changes: list[str] = []
    if after.title and before.title != after.title:
        changes.append(Said.of("change.title", old=before.title or "", new=after.title))
    for key in dict.fromkeys(_track_key(t) for t in (*after.tracks, *before.tracks)):
        changes.extend(_diff_tracks(key, before, after))
    if before.duration_ms != after.duration_ms:
        changes.append(Said.of("change.duration", old=_seconds(before.duration_ms), new=_seconds(after.duration_ms)))
    return tuple(changes)


def _track_key(track: Track) -> tuple[TrackKind, int | None]:
    return (track.kind, track.type_code if track.kind == "other" else None)


def _diff_tracks(key: tuple[TrackKind, int | None], before: Timeline, after: Timeline) -> list[str]:
    """Tracks of one kind: unchanged ones cancel out, the rest pair up in order."""
    old = [t for t in before.tracks if _track_key(t) == key]
    new = [t for t in after.tracks if _track_key(t) == key]
    for track in list(new):
        if track in old:
            old.remove(track)
            new.remove(track)
    same_kind = [t for t in after.tracks if _track_key(t) == key]
    changes: list[str] = []
    for was, now in zip(old, new, strict=False):
        if parts := _segment_changes(was, now):
            # "the video track", or "video track 2" when there are several
            name = Said.of("change.the", noun=_noun(now)) if len(same_kind) == 1 else Said.of(
                "change.numbered", noun=_noun(now), number=same_kind.index(now) + 1)
            changes.append(Said.of("change.track", name=name, parts=tuple(parts)))
    for _number, track in enumerate(new[len(old) :], start=len(old) + 1):
        noun = _noun(track)
        contents = _describe_all(track.segments) if track.segments else Said.of("change.empty")
        changes.append(Said.of("change.added_an" if str(noun)[0] in "aeiou" else "change.added_a", noun=noun, contents=contents))
    for track in old[len(new) :]:
        contents = _describe_all(track.segments) if track.segments else Said.of("change.empty")
        changes.append(Said.of("change.removed_track", noun=_noun(track), contents=contents))
    return changes


def _segment_changes(was: Track, now: Track) -> list[str]:
    if len(was.segments) != len(now.segments):
        added: list[str] = [Said.of("change.added", segment=_describe(s)) for s in now.segments if s not in was.segments]
        removed: list[str] = [Said.of("change.removed", segment=_describe(s)) for s in was.segments if s not in now.segments]
        return added + removed
    parts: list[str] = []
    for old, new in zip(was.segments, now.segments, strict=False):
        if old.label != new.label:
            parts.append(Said.of("change.label", old=old.label, new=new.label))
        if (old.start_ms, old.end_ms) != (new.start_ms, new.end_ms):
            parts.append(Said.of("change.moved", old=_span(old), new=_span(new)))
        if old.volume != new.volume:
            parts.append(Said.of("change.volume", old=_volume_said(old.volume), new=_volume_said(new.volume)))
    return parts


def _noun(track: Track) -> Said:
    """ "video track", "track (type 5)" """
    if track.kind != "other":
        return Said.of("change.noun." + track.kind)
    return Said.of("change.noun.typed", code=track.type_code) if track.type_code is not None else Said.of("change.noun.other")
