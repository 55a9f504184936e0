"""The contact sheet (a PNG of the frames in a grid, each with its time) and
the one line that says what the file is."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from nemochat.preview.frames import Clip

GAP = 4  # pixels between frames
LABEL = 16  # pixels under each frame for its timestamp


def stamp(t: float) -> str:
    """``0:04.2``: minutes, seconds and a tenth (six frames of a 10 s clip are 1.7 s apart)."""
    tenths = int(round(t * 10))
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


def columns_for(count: int) -> int:
    return 3 if count > 4 else max(1, count)


def human_size(size: int) -> str:
    amount = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount} B"


def describe(clip: Clip) -> str:
    """``10.0 s · 1920×1080 · 25 fps · h264 · 2.1 MB``."""
    parts = [f"{clip.duration_s:.1f} s", f"{clip.width}×{clip.height}"]
    if clip.fps:
        parts.append(f"{clip.fps:.3g} fps")
    parts += [clip.codec, human_size(clip.size_bytes)]
    return " · ".join(parts)


def compose(clip: Clip) -> Any:
    """The frames in rows of three, a timestamp under each, on black."""
    from PIL import Image, ImageDraw

    frames = clip.frames
    width, height = frames[0].image.size
    cols = columns_for(len(frames))
    rows = -(-len(frames) // cols)
    sheet = Image.new("RGB", (cols * width + (cols - 1) * GAP, rows * (height + LABEL) + (rows - 1) * GAP), (0, 0, 0))
    draw = ImageDraw.Draw(sheet)
    for i, frame in enumerate(frames):
        x, y = (i % cols) * (width + GAP), (i // cols) * (height + LABEL + GAP)
        sheet.paste(frame.image, (x, y))
        draw.text((x + 2, y + height + 2), stamp(frame.t), fill=(220, 220, 220))
    return sheet


def sheet_path(video: str | Path) -> Path:
    """``clip.mp4`` -> ``clip.preview.png``, next to it."""
    video = Path(video)
    return video.with_name(video.stem + ".preview.png")


def save(image: Any, target: Path) -> bytes:
    """Write the PNG whole or not at all (a temp file renamed over), private
    like the video beside it; returns its bytes (the kitty and iTerm2 writers send them)."""
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=3)
    data = buffer.getvalue()
    fd, temp = tempfile.mkstemp(prefix=".preview-", suffix=".png", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return data
