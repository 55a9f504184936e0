"""Frames decoded from the demo clip, the sheet saved next to it, and files
that are not videos (one clear line, nothing half-written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nemochat.preview.frames import PreviewError, read_clip, wanted_times
from nemochat.preview.sheet import describe, sheet_path, stamp
from nemochat.preview.show import Target, build
from nemochat.sim.files import CLIP_INFO, media

DEMO = Path(__file__).resolve().parents[2] / "nemochat/sim/media/clip.mp4"


def mean(image) -> tuple[float, float, float]:
    rgb = image.convert("RGB").tobytes()
    pixels = [rgb[i : i + 3] for i in range(0, len(rgb), 3)]
    return tuple(sum(p[i] for p in pixels) / len(pixels) for i in range(3))


def test_six_frames_spread_over_the_demo_clip_and_each_looks_different():
    clip = read_clip(DEMO)
    assert (clip.duration_s, clip.width, clip.height, clip.fps, clip.codec) == (10.0, 320, 180, 24.0, "h264")
    assert clip.size_bytes == len(media("clip.mp4").data) < 300_000
    times = [f.t for f in clip.frames]
    assert len(times) == 6 and times == sorted(times)
    for got, wanted in zip(times, wanted_times(clip.duration_s, 6), strict=False):
        assert abs(got - wanted) < 0.45 * clip.duration_s / 6  # near each wanted time (a keyframe, if one is near)
    assert times[1:5] == [2.0, 4.0, 6.0, 8.0]  # the clip's keyframes (every 2 s), taken without decoding between
    assert all(f.image.size == (320, 180) for f in clip.frames)
    colours = [mean(f.image) for f in clip.frames]
    for i, a in enumerate(colours):  # the sky drifts blue -> magenta -> orange -> teal: no two frames alike
        for b in colours[i + 1 :]:
            assert max(abs(x - y) for x, y in zip(a, b, strict=False)) > 3


def test_the_simulator_describes_its_clip_truly():
    clip = read_clip(DEMO)
    assert CLIP_INFO == {"duration": clip.duration_s, "width": clip.width, "height": clip.height, "fps": clip.fps}


def test_the_sheet_is_saved_next_to_the_video_and_the_line_says_what_it_is(tmp_path):
    video = tmp_path / "rainy tokyo.mp4"
    shutil.copy(DEMO, video)
    event = build(video, Target("none", 80, 800))
    assert event.sheet == str(tmp_path / "rainy tokyo.preview.png") == str(sheet_path(video))
    from PIL import Image

    with Image.open(event.sheet) as png:
        assert png.format == "PNG" and png.width == 3 * 320 + 2 * 4  # three frames a row, gaps of 4
    assert (Path(event.sheet).stat().st_mode & 0o777) == 0o600
    assert event.line == "rainy tokyo.mp4 · 10.0 s · 320×180 · 24 fps · h264 · 162.2 KB"
    assert event.drawing == "" and len(event.frames) == 6
    assert [p.name for p in tmp_path.iterdir()] and not list(tmp_path.glob(".preview-*"))  # no temp file left


@pytest.mark.parametrize("content", [b"", b"not a video at all" * 100, media("still.png").data[:50]])
def test_what_is_not_a_video_is_one_line_and_no_sheet(tmp_path, content):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(content)
    with pytest.raises(PreviewError) as caught:
        read_clip(bad)
    assert "\n" not in caught.value.message and "clip.mp4" in caught.value.message
    assert not sheet_path(bad).exists()


def test_a_missing_file():
    with pytest.raises(PreviewError, match="cannot read"):
        read_clip("/no/such/video.mp4")


def test_stamps_and_the_description():
    assert [stamp(t) for t in (0, 0.833, 9.167, 75.25)] == ["0:00.0", "0:00.8", "0:09.2", "1:15.2"]
    assert describe(read_clip(DEMO, count=1)).startswith("10.0 s · 320×180 · 24 fps · h264 · ")


def test_a_clip_with_one_keyframe_is_decoded_through_to_each_time(tmp_path):
    """No keyframe near the wanted times: frames are decoded on from the one
    keyframe (B-frames skipped), and each is the frame of its time."""
    import av
    from PIL import Image

    path = tmp_path / "one-gop.mp4"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        stream.options = {"g": "1000", "sc_threshold": "0", "bf": "3"}
        for i in range(100):  # 4 s; the brightness says the time: 2.5 grey levels a frame
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 36), (i * 5 // 2,) * 3))
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    clip = read_clip(path)
    assert len(clip.frames) == 6
    for frame, wanted in zip(clip.frames, wanted_times(4.0, 6), strict=False):
        assert abs(frame.t - wanted) <= 0.12  # at most a skipped B-frame or two late
        level = mean(frame.image)[0]
        assert abs(level - frame.t * 25 * 2.5) <= 6  # the picture is that of its time


def test_a_needle_shaped_video_gets_a_bounded_thumbnail(tmp_path):
    """A file's claims are not trusted to size what we allocate: a 16×1024 video's
    thumbnails are at most 4 times as tall as wide."""
    import av
    from PIL import Image

    path = tmp_path / "needle.mp4"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 16, 1024, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_image(Image.new("RGB", (16, 1024), (i * 40, 0, 0)))
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    clip = read_clip(path, thumb_width=100)
    assert (clip.width, clip.height) == (16, 1024)
    assert all(f.image.size == (100, 400) for f in clip.frames)


def test_a_file_too_large_to_index_is_read_by_seeking(monkeypatch):
    import nemochat.preview.frames as frames

    monkeypatch.setattr(frames, "INDEX_BYTES", 0)  # (the demo clip stands in for a huge file)
    monkeypatch.setattr(frames, "_keyframes", lambda *a: pytest.fail("read the whole file for its keyframes"))
    clip = read_clip(DEMO)
    for got, wanted in zip([f.t for f in clip.frames], wanted_times(clip.duration_s, 6), strict=False):
        assert abs(got - wanted) <= 0.1
