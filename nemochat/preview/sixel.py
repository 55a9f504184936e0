"""Sixel (foot, xterm -ti vt340, Windows Terminal, mlterm): the sheet in a
DCS sequence, six pixel rows per band, one pass per colour of a palette of
at most 255 colours (Pillow quantizes), runs of the same sixel compressed.

Format: VT330/340 manual, "Sixel Graphics": ``ESC P q``, raster attributes
``"1;1;W;H``, colours ``#i;2;r;g;b`` in percent, ``$`` back to the band's
start, ``-`` the next band, ``ESC \\`` the end."""

from __future__ import annotations

import re
from typing import Any

COLOURS = 255
_RUN = re.compile(r"(.)\1{3,}")


def render(image: Any) -> str:
    from PIL import Image

    image = image.convert("RGB")
    indexed = image.quantize(colors=COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    width, height = indexed.size
    palette = indexed.getpalette() or []
    pixels = indexed.tobytes()
    used = sorted(set(pixels))
    out = [f'\x1bPq"1;1;{width};{height}']
    for i in used:
        r, g, b = palette[3 * i : 3 * i + 3]
        out.append(f"#{i};2;{r * 100 // 255};{g * 100 // 255};{b * 100 // 255}")
    for top in range(0, height, 6):
        rows = [pixels[(top + bit) * width : (top + bit + 1) * width] for bit in range(min(6, height - top))]
        passes = []
        for colour in sorted(set(b"".join(rows))):
            # each row's pixels of this colour as its bit, OR-ed across the band's rows (as big ints: C speed)
            bits = 0
            for bit, row in enumerate(rows):
                bits |= int.from_bytes(row.translate(_mark(colour, bit)), "big")
            text = bits.to_bytes(width, "big").translate(_TO_SIXEL).decode("ascii").rstrip("?")  # (blank to the right: nothing to send)
            passes.append(f"#{colour}" + _RUN.sub(lambda m: f"!{len(m.group(0))}{m.group(1)}", text))
        out.append("$".join(passes) + "-")
    out.append("\x1b\\")
    return "".join(out) + "\n"


_TO_SIXEL = bytes(63 + (b & 63) for b in range(256))


def _mark(colour: int, bit: int) -> bytes:
    """A translation table: ``colour`` -> that row's bit in a sixel, any other colour -> 0."""
    return bytes(colour) + bytes([1 << bit]) + bytes(255 - colour)
