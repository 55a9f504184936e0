"""A Sora / Veo / gateway video that downloads is followed by its keyframe
preview: the `preview` line after its `video` line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.parametrize("argv", [
    ["sora", "submit", "--prompt", "a cat", "--yes", "--follow"],
    ["gateway", "submit", "--prompt", "a cat", "--yes", "--follow"],
])
def test_a_downloaded_video_gets_its_preview(cli, providers, argv):
    run = cli("--json", *argv)
    assert run.code == 0, run.err
    lines = [json.loads(line) for line in run.out.splitlines()]
    video = next(line for line in lines if line["type"] == "video" and line["status"] == "completed")
    preview = next(line for line in lines if line["type"] == "preview")
    assert lines.index(video) < lines.index(preview) and preview["path"] == video["path"]
    assert Path(preview["sheet"]).is_file() and len(preview["frames"]) == 6


def test_no_download_no_preview(cli, providers):
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes", "--follow", "--no-download")
    assert run.code == 0 and '"preview"' not in run.out
