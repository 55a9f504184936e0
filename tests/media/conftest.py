"""Export and upload tests: real HTTP on 127.0.0.1 against the simulator
(time_scale 0), the real runtime (NemoClient, Conversation), and a view that
records every UI event. Polls wait 0 s: nothing here sleeps."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def world(world):
    """Every test here starts with a fresh simulator."""
    return world


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def instant_polls(monkeypatch):
    """The poll schedule set to 0 through the environment, as a user would; no display."""
    monkeypatch.setenv("NEMOCHAT_EXPORT_FIRST_POLL", "0")
    monkeypatch.setenv("NEMOCHAT_EXPORT_MAX_POLL", "0")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture
def cli(sim, out, monkeypatch, capsys):
    """Run `nemochat --api-base <sim> ARGS...` in-process; returns (exit code, stdout, stderr)."""
    from nemochat.cli import main

    monkeypatch.setenv("NEMOCHAT_OUTPUT_DIR", str(out))

    def call(*args: str) -> tuple[int, str, str]:
        code = main(["--api-base", sim.base_url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call
