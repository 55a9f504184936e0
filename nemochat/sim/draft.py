"""The simulated backend's draft (its timeline), in the backend's short names.

    draft   = {"t": [track, ...], "d": duration_ms, "m": {"title", "width", "height", "fps"}}
    track   = {"id": str, "tt": 0 video | 1 audio/BGM | 7 text, "n": track name, "sg": [segment, ...]}
    segment = {"id": str, "st": start_ms, "et": end_ms, "n": display name,
               "u": media URL (video/image/audio only),
               "vl": volume 0-100 (audio only),
               "tx": the text shown (titles only)}

Every function here mutates the draft dict it is given and keeps ``d`` equal
to the end of the last segment; callers hold the world's lock.
"""

from __future__ import annotations

import uuid
from typing import Any

VIDEO, AUDIO, TEXT = 0, 1, 7

Draft = dict[str, Any]
Segment = dict[str, Any]


def empty_draft() -> Draft:
    return {"t": [], "d": 0, "m": {"title": "Untitled", "width": 1920, "height": 1080, "fps": 30}}


def segment(name: str, start_ms: int, end_ms: int, **extra: Any) -> Segment:
    """A segment; `extra` takes the optional keys u / vl / tx."""
    return {"id": f"seg_{uuid.uuid4().hex[:10]}", "st": start_ms, "et": end_ms, "n": name, **extra}


def replace_track(draft: Draft, track_type: int, name: str, segments: list[Segment]) -> None:
    """Give the first track of `track_type` these segments (adding the track if needed)."""
    track = _track(draft, track_type, name)
    track["n"] = name
    track["sg"] = list(segments)
    _refresh_duration(draft)


def append_segment(draft: Draft, track_type: int, name: str, seg: Segment) -> Segment:
    """Place `seg` (its st/et taken as a length) after the track's last segment."""
    track = _track(draft, track_type, name)
    offset = max((s["et"] for s in track["sg"]), default=0)
    placed = {**seg, "st": offset, "et": offset + seg["et"] - seg["st"]}
    track["sg"].append(placed)
    _refresh_duration(draft)
    return placed


def video_length_ms(draft: Draft, default: int) -> int:
    """Where the video track ends (for music that should span it), else `default`."""
    ends = [s["et"] for t in draft["t"] if t["tt"] == VIDEO for s in t["sg"]]
    return max(ends, default=0) or default


def is_exportable(draft: Any) -> bool:
    """protocol.md: exportable when `t` has a track with non-empty `sg`."""
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        return False
    return any(isinstance(t, dict) and t.get("sg") for t in draft["t"])


def _track(draft: Draft, track_type: int, name: str) -> dict[str, Any]:
    for track in draft["t"]:
        if track["tt"] == track_type:
            return track
    track = {"id": f"trk_{uuid.uuid4().hex[:8]}", "tt": track_type, "n": name, "sg": []}
    draft["t"].append(track)
    # Why sorted: the backend lists video, then audio, then text tracks.
    draft["t"].sort(key=lambda t: t["tt"])
    return track


def _refresh_duration(draft: Draft) -> None:
    draft["d"] = max((s["et"] for t in draft["t"] for s in t["sg"]), default=0)
