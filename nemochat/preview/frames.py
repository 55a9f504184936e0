"""Frames of a video, decoded with PyAV (FFmpeg in its wheels).

Fast on long or large clips: for each wanted time we seek to the keyframe
before it and decode forward only until the frame at that time; a frame is
scaled by FFmpeg (swscale) to thumbnail size before Python sees it. Nothing
of a file is trusted: a file that is not a video, or a broken one, is a
``PreviewError`` with one line, never an exception from the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemochat.errors import UsageError


MAX_PIXELS = 8192 * 8192  # a frame larger than this is refused before decoding (a hostile file's claim)
MAX_ASPECT = 4  # a thumbnail at most 4 times as tall as wide (or wide as tall)
INDEX_BYTES = 256 * 1024 * 1024  # larger files are not read whole for their keyframes: we seek to each time instead


class PreviewError(UsageError):
    """The file cannot be previewed (missing, not a video, unreadable)."""


@dataclass(frozen=True)
class Frame:
    t: float  # seconds from the start
    image: Any = field(compare=False, repr=False)  # a PIL.Image (RGB)


@dataclass(frozen=True)
class Clip:
    path: str
    duration_s: float
    width: int
    height: int
    fps: float | None
    codec: str
    size_bytes: int
    frames: tuple[Frame, ...]


def wanted_times(duration: float, count: int) -> list[float]:
    """``count`` times evenly spread, each in the middle of its share of the clip
    (the first frame of a video is often black, the last a fade)."""
    if duration <= 0:
        return [0.0]
    return [duration * (i + 0.5) / count for i in range(count)]


def read_clip(path: str | Path, *, count: int = 6, thumb_width: int = 320) -> Clip:
    import av  # (lazily: see the package's docstring)

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise PreviewError(f"cannot read {path}: {error.strerror or error}", key="file.unreadable", path=path, reason=error.strerror or error) from None
    if not path.is_file():
        raise PreviewError(f"{path} is not a file", key="preview.not_file", path=path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.video:
                raise PreviewError(f"{path.name} has no video in it", key="preview.no_video", name=path.name)
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"  # frame and slice threads: both cores on a 1080p clip
            duration = _duration(container, stream)
            width, height = stream.codec_context.width, stream.codec_context.height
            if not width or not height or width * height > MAX_PIXELS:
                raise PreviewError(f"{path.name}: the video's size ({width}×{height}) is not one nemochat previews", key="preview.size",
                                   name=path.name, width=width, height=height)
            aspect = min(max(height / width, 1 / MAX_ASPECT), MAX_ASPECT)
            thumb_height = max(2, round(thumb_width * aspect / 2) * 2)
            keyframes = _keyframes(container, stream) if size <= INDEX_BYTES else None
            frames = _grab(container, stream, wanted_times(duration, count), thumb_width, thumb_height, keyframes)
            fps = float(stream.average_rate) if stream.average_rate else None
            codec = stream.codec_context.name or "unknown"
    except PreviewError:
        raise
    except (av.FFmpegError, OSError, ValueError, ZeroDivisionError) as error:
        raise PreviewError(f"{path.name} is not a video nemochat can read ({type(error).__name__})", key="preview.unreadable", name=path.name,
                           reason=type(error).__name__) from None
    if not frames:
        raise PreviewError(f"{path.name}: no frame could be decoded", key="preview.no_frame", name=path.name)
    return Clip(str(path), duration, width, height, fps, codec, size, tuple(frames))


def _duration(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # (av.time_base)
    return 0.0


def _keyframes(container: Any, stream: Any) -> list[float]:
    """The keyframes' times, from the packets alone (no decoding: milliseconds)."""
    base = stream.time_base
    times = [float(p.pts * base) for p in container.demux(stream) if p.is_keyframe and p.pts is not None]
    return sorted(times)


def _grab(container: Any, stream: Any, times: list[float], width: int, height: int, keyframes: list[float] | None) -> list[Frame]:
    """The frame nearest each wanted time, cheaply: a keyframe near enough
    (within about half the gap between wanted times) is taken as it is, decoding
    nothing else; for the others we decode from the keyframe before, skipping
    the frames no other frame refers to (B-frames: about half of the work)."""
    base = stream.time_base
    start = float(stream.start_time * base) if stream.start_time is not None and base else 0.0
    gap = times[1] - times[0] if len(times) > 1 else float("inf")
    snapped: dict[int, float] = {}
    for i, t in enumerate(times if keyframes else ()):
        near = min(keyframes or (), key=lambda k: abs(k - start - t), default=None)
        if near is not None and abs(near - start - t) < gap * 0.45 and near not in snapped.values():
            snapped[i] = near
    chosen: dict[int, Any] = {}
    if snapped and keyframes:
        stream.codec_context.skip_frame = "NONKEY"
        wanted = {round(k, 6): i for i, k in snapped.items()}
        container.seek(int(min(snapped.values()) / base), stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            got = wanted.pop(round(frame.time, 6), None) if frame.time is not None else None
            if got is not None:
                chosen[got] = frame
            if not wanted or (frame.time is not None and frame.time > max(snapped.values())):
                break
    rest = [i for i in range(len(times)) if i not in chosen]
    if rest:
        stream.codec_context.skip_frame = "NONREF"
        chosen.update(_decode_to(container, stream, {i: start + times[i] for i in rest}, keyframes))
    out = []
    for i in sorted(chosen):
        frame = chosen[i]
        image = frame.reformat(width=width, height=height, format="rgb24").to_image()
        out.append(Frame(round(max(0.0, frame.time - start), 3), image))
    return out


def _decode_to(container: Any, stream: Any, targets: dict[int, float], keyframes: list[float] | None) -> dict[int, Any]:
    """For each target time, the first frame at (or just before) it, decoding
    forward from the keyframe before it, or on from where we are when that
    keyframe is behind us."""
    base = stream.time_base
    out: dict[int, Any] = {}
    decoder = None
    position = float("-inf")  # the time of the last frame decoded
    for i, target in sorted(targets.items(), key=lambda item: item[1]):
        if keyframes is None:  # no index: jump when the target is well ahead (the seek lands on the keyframe before it)
            key, jump = None, decoder is None or target - position > 1.0
        else:
            key = max((k for k in keyframes if k <= target + 1e-6), default=None)
            jump = decoder is None or (key is not None and key > position)
        if jump or decoder is None:  # (jump is true whenever there is no decoder yet)
            container.seek(int((key if key is not None else target) / base), stream=stream, backward=True, any_frame=False)
            decoder = container.decode(stream)
        found = None
        for frame in decoder:
            if frame.time is None:
                continue
            position, found = frame.time, frame
            if frame.time + 0.02 >= target:
                break
        if found is None:
            break  # the end of the stream
        out[i] = found
    return out
