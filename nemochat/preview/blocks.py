"""The contact sheet in coloured half-blocks: each character cell shows two
pixels, the upper one as the foreground of "▀" and the lower one as its
background. Works in every terminal with colour, tmux included: 24-bit
colour where the terminal has it, else the nearest of the 256."""

from __future__ import annotations

from collections.abc import Sequence

from nemochat.preview.frames import Frame
from nemochat.preview.sheet import columns_for, stamp

UPPER_HALF = "▀"
RESET = "\x1b[0m"
MAX_CELLS = 40  # a thumbnail's width at most, in cells (wider terminals get no bigger sheet)
_LEVELS = (0, 95, 135, 175, 215, 255)  # the 6x6x6 cube of xterm's 256 colours


def layout(frames: Sequence[Frame], columns: int) -> tuple[int, int, int]:
    """(frames per row, a thumbnail's width in cells, its height in pixels = 2 per cell row)."""
    per_row = columns_for(len(frames))
    cells = max(4, min(MAX_CELLS, (columns - (per_row - 1)) // per_row))
    w, h = frames[0].image.size
    pixels = max(2, round(cells * h / w / 2) * 2)  # square pixels: a cell is about twice as tall as wide
    return per_row, cells, pixels


def render(frames: Sequence[Frame], columns: int, *, truecolor: bool = True) -> str:
    from PIL import Image

    per_row, cells, pixels = layout(frames, columns)
    thumbs = [f.image.convert("RGB").resize((cells, pixels), Image.Resampling.BOX) for f in frames]
    colour = _sgr_truecolor if truecolor else _sgr_256
    lines: list[str] = []
    for start in range(0, len(thumbs), per_row):
        group = thumbs[start : start + per_row]
        data = [_pixels(t.tobytes()) for t in group]
        for row in range(0, pixels, 2):
            pieces = []
            for pix in data:
                top, bottom = pix[row * cells : (row + 1) * cells], pix[(row + 1) * cells : (row + 2) * cells]
                pieces.append("".join(colour(a, b) + UPPER_HALF for a, b in zip(top, bottom, strict=False)) + RESET)
            lines.append(" ".join(pieces))
        labels = [stamp(f.t).ljust(cells) for f in frames[start : start + per_row]]
        lines.append(" ".join(labels).rstrip())
    return "\n".join(lines) + "\n"


def _pixels(rgb: bytes) -> list[bytes]:
    return [rgb[i : i + 3] for i in range(0, len(rgb), 3)]


def _sgr_truecolor(top: bytes, bottom: bytes) -> str:
    return f"\x1b[38;2;{top[0]};{top[1]};{top[2]};48;2;{bottom[0]};{bottom[1]};{bottom[2]}m"


def _sgr_256(top: bytes, bottom: bytes) -> str:
    return f"\x1b[38;5;{xterm256(top)};48;5;{xterm256(bottom)}m"


def _nearest_level(v: int) -> int:
    return min(range(6), key=lambda i: abs(_LEVELS[i] - v))


def xterm256(rgb: bytes | tuple[int, int, int]) -> int:
    """The nearest of xterm's 256 colours: the 6x6x6 cube or the 24 greys."""
    r, g, b = (_nearest_level(c) for c in rgb[:3])
    cube = 16 + 36 * r + 6 * g + b
    cube_rgb = (_LEVELS[r], _LEVELS[g], _LEVELS[b])
    grey_step = max(0, min(23, round((sum(rgb[:3]) / 3 - 8) / 10)))
    grey = 8 + 10 * grey_step
    dist = lambda c: sum((x - y) ** 2 for x, y in zip(rgb[:3], c, strict=False))  # noqa: E731
    return cube if dist(cube_rgb) <= dist((grey, grey, grey)) else 232 + grey_step
