"""Each drawing, checked by reading it back: half-blocks on an emulated
screen (pyte) show each frame's colours; kitty's APC chunks decode to the
PNG they announce; sixel is a well-formed DCS whose pixels are the sheet's."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pyte
import pytest
from PIL import Image

from nemochat.preview import blocks, iterm, kitty, sixel
from nemochat.preview.frames import read_clip
from nemochat.preview.sheet import compose, stamp

DEMO = Path(__file__).resolve().parents[2] / "nemochat/sim/media/clip.mp4"


@pytest.fixture(scope="module")
def clip():
    return read_clip(DEMO)


def mean(colours) -> tuple[float, ...]:
    colours = list(colours)
    return tuple(sum(c[i] for c in colours) / len(colours) for i in range(3))


def screen_of(text: str, columns: int, lines: int) -> pyte.Screen:
    screen = pyte.Screen(columns, lines)
    pyte.Stream(screen).feed(text.replace("\n", "\r\n"))
    return screen


@pytest.mark.parametrize("truecolor, tolerance", [(True, 6), (False, 22)])
def test_half_blocks_show_each_frames_colours_on_a_screen(clip, truecolor, tolerance):
    columns = 100
    drawing = blocks.render(clip.frames, columns, truecolor=truecolor)
    per_row, cells, pixels = blocks.layout(clip.frames, columns)
    rows = pixels // 2
    screen = screen_of(drawing, columns, 2 * (rows + 1) + 1)
    wanted_all = []
    for frame in clip.frames:
        rgb = frame.image.convert("RGB").tobytes()
        wanted_all.append(mean(rgb[i : i + 3] for i in range(0, len(rgb), 3)))
    for n, frame in enumerate(clip.frames):
        top, left = (n // per_row) * (rows + 1), (n % per_row) * (cells + 1)
        region = [screen.buffer[y][x] for y in range(top, top + rows) for x in range(left, left + cells)]
        assert all(c.data == blocks.UPPER_HALF for c in region)
        seen = mean(bytes.fromhex(colour) for c in region for colour in (c.fg, c.bg))
        wanted = wanted_all[n]
        assert max(abs(a - b) for a, b in zip(seen, wanted, strict=False)) <= tolerance, (n, seen, wanted)
        if truecolor:  # (256 colours are too coarse in the dark for this: 0 then 95 per channel)
            distance = [sum((a - b) ** 2 for a, b in zip(seen, other, strict=False)) for other in wanted_all]
            assert distance.index(min(distance)) == n  # nearer its own frame's colour than any other's
        label = "".join(screen.buffer[top + rows][x].data for x in range(left, left + cells)).strip()
        assert label == stamp(frame.t)  # each frame's time under it


def test_half_blocks_fit_a_narrow_terminal(clip):
    drawing = blocks.render(clip.frames, 40, truecolor=True)
    widths = {len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in drawing.splitlines()}
    assert max(widths) <= 40


def test_256_colours_are_the_nearest_of_the_palette():
    assert blocks.xterm256((255, 0, 0)) == 196 and blocks.xterm256((0, 0, 255)) == 21
    assert blocks.xterm256((128, 128, 128)) == 244 and blocks.xterm256((0, 0, 0)) == 16


def png_of(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


APC = re.compile(r"\x1b_G([^;\x1b]*);([A-Za-z0-9+/=]*)\x1b\\")


def test_kitty_chunks_are_well_formed_and_decode_to_the_announced_png(clip):
    sheet = compose(clip)
    drawing = kitty.render(png_of(sheet), width=sheet.width, height=sheet.height, columns=90)
    chunks = APC.findall(drawing)
    assert "".join(m.group(0) for m in APC.finditer(drawing)) + "\n" == drawing  # nothing else, nothing stray
    assert len(chunks) > 1 and all(len(payload) <= 4096 for _, payload in chunks)
    keys = [dict(kv.split("=") for kv in control.split(",")) for control, _ in chunks]
    assert [k["m"] for k in keys] == ["1"] * (len(chunks) - 1) + ["0"]
    first = keys[0]
    assert (first["a"], first["f"], first["q"], first["c"]) == ("T", "100", "2", "90")
    png = base64.standard_b64decode("".join(payload for _, payload in chunks))
    with Image.open(io.BytesIO(png)) as decoded:
        assert decoded.format == "PNG" and decoded.size == (int(first["s"]), int(first["v"])) == sheet.size


def test_iterm_is_one_osc_1337_with_the_png(clip):
    png = png_of(compose(clip))
    drawing = iterm.render(png, columns=80)
    match = re.fullmatch(r"\x1b\]1337;File=inline=1;size=(\d+);width=80;preserveAspectRatio=1:([A-Za-z0-9+/=]+)\x07\n", drawing)
    assert match and int(match.group(1)) == len(png) and base64.b64decode(match.group(2)) == png


def decode_sixel(body: str, width: int, height: int) -> Image.Image:
    """A small sixel reader (palette, runs, $ and -), for the test only."""
    palette: dict[int, tuple[int, int, int]] = {}
    image = Image.new("RGB", (width, height))
    x = band = colour = 0
    for token in re.finditer(r"#(\d+);2;(\d+);(\d+);(\d+)|#(\d+)|!(\d+)(.)|([?-~])|(\$)|(-)", body):
        new, select, count, repeated, single, back, down = token.group(1), token.group(5), token.group(6), token.group(7), token.group(8), token.group(9), token.group(10)
        if new:
            palette[int(new)] = tuple(round(int(token.group(i)) * 255 / 100) for i in (2, 3, 4))
            colour = int(new)
        elif select:
            colour = int(select)
        elif count or single:
            char, n = (repeated, int(count)) if count else (single, 1)
            for _ in range(n):
                bits = ord(char) - 63
                for bit in range(6):
                    if bits & (1 << bit) and band * 6 + bit < height:
                        image.putpixel((x, band * 6 + bit), palette[colour])
                x += 1
        elif back:
            x = 0
        elif down:
            x, band = 0, band + 1
    return image


def test_sixel_is_a_well_formed_dcs_showing_the_sheet():
    sheet = Image.new("RGB", (60, 20), (200, 30, 30))
    sheet.paste((20, 40, 220), (30, 0, 60, 20))  # right half blue
    sheet.paste((250, 250, 250), (0, 13, 10, 20))  # a white corner below the second band
    drawing = sixel.render(sheet)
    match = re.fullmatch(r'\x1bPq"1;1;(\d+);(\d+)((?:#\d+;2;\d+;\d+;\d+)+)([#0-9!?-~$-]*)\x1b\\\n', drawing)
    assert match and (int(match.group(1)), int(match.group(2))) == (60, 20)
    for r, g, b in re.findall(r"#\d+;2;(\d+);(\d+);(\d+)", match.group(3)):
        assert all(0 <= int(v) <= 100 for v in (r, g, b))
    assert match.group(4).count("-") == 4  # ceil(20 / 6) bands, each ended
    decoded = decode_sixel(match.group(3) + match.group(4), 60, 20)
    for xy in [(5, 5), (45, 5), (5, 18), (45, 18), (15, 18)]:
        assert max(abs(a - b) for a, b in zip(decoded.getpixel(xy), sheet.getpixel(xy), strict=False)) <= 6, xy


@pytest.mark.parametrize("seed", range(4))
def test_sixel_round_trips_random_images_pixel_for_pixel(seed):
    """Any size (bands cut short at the bottom), runs and lone pixels: decoded
    back, every pixel is the original's, but for the palette's percent steps."""
    import random

    rng = random.Random(seed)
    width, height = rng.randint(1, 40), rng.randint(1, 20)
    colours = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(rng.randint(1, 12))]
    image = Image.new("RGB", (width, height))
    for y in range(height):
        x = 0
        while x < width:  # runs of one colour, of random lengths
            run, colour = rng.randint(1, 9), rng.choice(colours)
            for dx in range(min(run, width - x)):
                image.putpixel((x + dx, y), colour)
            x += run
    drawing = sixel.render(image)
    match = re.fullmatch(r'\x1bPq"1;1;(\d+);(\d+)((?:#\d+;2;\d+;\d+;\d+)+)([#0-9!?-~$-]*)\x1b\\\n', drawing)
    assert match and (int(match.group(1)), int(match.group(2))) == (width, height)
    decoded = decode_sixel(match.group(3) + match.group(4), width, height)
    for y in range(height):
        for x in range(width):
            assert max(abs(a - b) for a, b in zip(decoded.getpixel((x, y)), image.getpixel((x, y)), strict=False)) <= 3, (x, y)
