"""The first thing the README shows: `nemochat --demo`, "make a 10s rainy
Tokyo clip", `/export`, and the clip's keyframes appear above the prompt: in
coloured half-blocks inside tmux, checked on the screen a person would see;
as kitty graphics in kitty, checked in the bytes (pyte draws no images)."""

from __future__ import annotations

import re
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "nemochat/sim/media/clip.mp4"


def test_the_demo_export_shows_the_keyframes_above_the_prompt(spawn, tmp_path):
    term = spawn("--demo", env={"TERM": "tmux-256color", "TMUX": "/tmp/tmux-1000/default,1,0", "COLORTERM": "truecolor"})
    term.expect(r"Ready")
    term.line("make a 10s rainy Tokyo clip")
    term.expect(r"Export the video now\? \[Y/n\]")
    term.line("n")
    term.line("/export")
    term.expect(r"Export finished", timeout=60)
    term.expect(r"▶ .*\.mp4 · 10\.0 s · 320×180 · 24 fps · h264")
    term.wait_idle_prompt()
    [video] = (tmp_path / "work").glob("*.mp4")
    assert video.with_name(video.stem + ".preview.png").is_file()

    lines = term.lines()
    meta = max(i for i, line in enumerate(lines) if line.startswith("▶ "))
    finished = max(i for i, line in enumerate(lines) if "Export finished" in line)
    prompt = max(i for i, line in enumerate(lines) if line.startswith("›"))
    sheet = [i for i in range(finished, meta) if "▀" in lines[i]]
    assert finished < sheet[0] and sheet[-1] < meta < prompt  # after the job's line, above the prompt
    stamps = re.findall(r"\d:\d\d\.\d", " ".join(lines[finished:meta]))
    assert stamps == ["0:00.9", "0:02.0", "0:04.0", "0:06.0", "0:08.0", "0:09.2"]
    # the blocks are coloured, and not all alike: the rain's frames differ
    history = list(term.screen.history.top) + [term.screen.buffer[y] for y in range(term.screen.lines)]
    first = history[sheet[0]]
    colours = {(first[x].fg, first[x].bg) for x in range(term.screen.columns) if first[x].data == "▀"}
    assert len(colours) > 20 and ("default", "default") not in colours

    # /preview shows it again (job #1's file); an unknown job is one line
    term.line("/preview 9")
    term.expect(r"No job #9")
    term.line("/preview 1")
    term.expect(r"▶ .*\.mp4 · 10\.0 s")
    term.wait_idle_prompt()
    assert term.count("▶ rainy-Tokyo") == 2 and term.count("0:09.2") == 2


def test_in_kitty_the_preview_is_an_image_above_the_prompt(spawn, tmp_path):
    video = tmp_path / "work" / "rain.mp4"
    video.write_bytes(DEMO.read_bytes())
    term = spawn("--demo", env={"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"})
    term.expect(r"Ready")
    term.line(f"/preview {video}")
    term.expect(r"▶ rain\.mp4 · 10\.0 s")
    term.wait_idle_prompt()
    raw = "".join(term.sink.raw)
    start, end = raw.index("\x1b_Ga=T,f=100,q=2,"), raw.index("▶ rain.mp4")
    chunks = re.findall(r"\x1b_G[^\x1b]*\x1b\\", raw[start:end])
    assert len(chunks) > 1 and chunks[-1].startswith("\x1b_Gm=0;")
    assert raw.rindex("/preview") < start  # drawn after the command, then the line, then the prompt again
    assert "▀" not in raw and video.with_name("rain.preview.png").is_file()


def test_the_repl_asks_the_terminal_once_and_keeps_the_keys(spawn, tmp_path):
    """An xterm may draw sixel: the REPL asks (device attributes) from inside
    its printer, takes the answer, and the keys typed after it still work."""
    video = tmp_path / "work" / "rain.mp4"
    video.write_bytes(DEMO.read_bytes())
    term = spawn("--demo", env={"NEMOCHAT_PREVIEW_QUERY_TIMEOUT": "20"})  # (waits for the answer below, however slow)
    term.expect(r"Ready")
    term.line(f"/preview {video}")
    term.child.expect_exact("\x1b[c")
    term.type("\x1b[?62;4;22c")  # what a sixel terminal answers
    term.expect(r"▶ rain\.mp4 · 10\.0 s")
    term.line("/preview /no/such.mp4")  # asked once per REPL: not again
    term.expect(r"cannot read")
    term.wait_idle_prompt()  # typed keys reach the prompt
    raw = "".join(term.sink.raw)
    assert raw.count("\x1b[c") == 1 and raw.count("\x1bPq") == 1 and "▀" not in raw
