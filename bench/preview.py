"""The keyframe preview's speed: a contact sheet of a 10 s 1080p
H.264 clip, against decoding every frame of it (what a preview that does not
seek would cost at least).

    python bench/preview.py make DIR        # the clips, cached: 1080p25, 10 s, keyframes every 2 s and every 10 s
    python bench/preview.py time FILE       # one fresh process: {"import_s", "sheet_s", "decode_all_s"} as JSON

Each ``time`` run is a fresh process, so the first (only) sheet pays what
the REPL's first preview pays, except the imports, reported apart (PyAV and
Pillow load once per process). ``sheet_s`` is ``nemochat.preview.show.build``
whole: frames, the sheet, the PNG next to the clip, the half-blocks.
"""

from __future__ import annotations

import json
import sys
import time
from fractions import Fraction
from pathlib import Path

WIDTH, HEIGHT, FPS, SECONDS = 1920, 1080, 25, 10
CLIPS = {"gop2s": 2 * FPS, "gop10s": 10 * FPS}  # x264's default keyint (250) is the second: one keyframe in 10 s


def make(folder: Path) -> dict[str, Path]:
    """Moving shapes over a gradient, H.264 (libx264, crf 23): cached by name."""
    import av
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, gop in CLIPS.items():
        path = out[name] = folder / f"preview-1080p-{name}.mp4"
        if path.is_file():
            continue
        temp = path.with_suffix(".part.mp4")
        base = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
        with av.open(str(temp), "w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            stream.time_base = Fraction(1, FPS)
            stream.options = {"preset": "veryfast", "crf": "23", "g": str(gop), "sc_threshold": "0"}
            for i in range(FPS * SECONDS):
                image = base.copy()
                draw = ImageDraw.Draw(image)
                hue = int(255 * i / (FPS * SECONDS))
                draw.rectangle([i * 7 % WIDTH, 200, i * 7 % WIDTH + 400, 800], fill=(hue, 255 - hue, 128))
                draw.ellipse([900, (i * 11) % HEIGHT, 1300, (i * 11) % HEIGHT + 300], fill=(255, hue, 40))
                frame = av.VideoFrame.from_image(image)
                frame.pts = i
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        temp.rename(path)
    return out


def time_one(path: Path) -> dict[str, float]:
    started = time.perf_counter()
    import av  # noqa: F401
    import PIL.Image  # noqa: F401

    from nemochat.preview.show import Target, build

    imported = time.perf_counter()
    build(path, Target("blocks", 100, 1000))
    sheet = time.perf_counter()
    with av.open(str(path)) as container:  # the floor: every frame decoded (same threads), nothing else
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass
    return {"import_s": imported - started, "sheet_s": sheet - imported, "decode_all_s": time.perf_counter() - sheet}


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        print(json.dumps({k: str(v) for k, v in make(Path(sys.argv[2])).items()}))
    elif sys.argv[1:2] == ["time"]:
        print(json.dumps(time_one(Path(sys.argv[2]))))
    else:
        sys.exit(__doc__)
