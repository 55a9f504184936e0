"""The lines a person reads for NemoVideo's 4001, 4002 and 402: each says
what went wrong and what to do, once (the backend's own wording repeats
both, so only what it adds is kept). Real commands, in-process, against
the simulator."""

from __future__ import annotations

import pytest

from nemochat.cli import main
from nemochat.clients.http import SUPPORTED_UPLOADS, error_for


@pytest.fixture
def nemochat(sim, world, tmp_path, monkeypatch, capsys):
    """``nemochat(*args) -> (exit code, the lines shown)``; stdout and stderr
    together, as a terminal shows them."""
    monkeypatch.setenv("COLUMNS", "200")  # one line per message: the check is about words, not wrapping
    monkeypatch.setenv("NEMOCHAT_OUTPUT_DIR", str(tmp_path))

    def call(*args: str) -> tuple[int, list[str]]:
        capsys.readouterr()
        code = main(["--api-base", sim.base_url, *args])
        captured = capsys.readouterr()
        return code, [line.rstrip() for line in (captured.out + captured.err).splitlines()]

    return call


def error_lines(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith("✗ "))
    return lines[start : start + 2]


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\0\0\0\x18ftypmp42" + bytes(64))
    return path


def test_4001_unsupported_file(nemochat, world, clip):
    world.set_faults(error_code={"code": 4001})
    code, lines = nemochat("upload", str(clip))
    assert code == 2
    assert error_lines(lines) == ["✗ Uploading: unsupported file type", f"  Supported formats: {SUPPORTED_UPLOADS}."]


def test_4002_file_too_large(nemochat, world, clip):
    world.configure(upload_max_bytes=10)
    code, lines = nemochat("upload", str(clip))
    assert code == 2
    assert error_lines(lines) == [
        "✗ Uploading: file too large (clip.mp4 is larger than 10 bytes)",
        "  Compress or trim it, then upload again.",
    ]


def test_402_free_plan(nemochat, world):
    assert nemochat("ask", "make a 10s rainy Tokyo clip")[0] == 0
    world.set_faults(http_402_render=True)
    code, lines = nemochat("export")
    assert code == 4
    assert error_lines(lines) == [
        "✗ Starting the render: the free plan does not allow this",
        "  Not a credits problem: register at nemovideo.ai to unlock export.",
    ]


@pytest.mark.parametrize(
    ("status", "body", "what", "message"),
    [
        (400, {"code": 4001, "message": "unsupported file type"}, "Uploading", "Uploading: unsupported file type"),
        (400, {"code": 4001, "message": "unsupported file type: a.xyz"}, "Uploading", "Uploading: unsupported file type (a.xyz)"),
        (400, {"code": 4001, "message": "not a public http(s) URL: ftp://x/a.mp4"}, "Adding the URLs",
         "Adding the URLs: unsupported file type (not a public http(s) URL: ftp://x/a.mp4)"),
        (413, {"code": 4002, "message": "file too large"}, "Uploading", "Uploading: file too large"),
        (402, {"code": 402, "message": "free plan cannot export: register at nemovideo.ai to unlock export"},
         "Starting the render", "Starting the render: the free plan does not allow this"),
        (402, None, "Starting the render", "Starting the render: the free plan does not allow this (HTTP 402)"),
    ],
)
def test_the_servers_detail_is_kept_only_where_it_adds(status, body, what, message):
    error = error_for(status, body, None, what)
    assert error.message == message
    said = (error.message + " " + error.action).lower()
    for phrase in ("unsupported file type", "file too large", "free plan", "register at nemovideo.ai"):
        assert said.count(phrase) <= 1, phrase
