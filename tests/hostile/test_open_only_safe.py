"""`nemochat open` launches only an http(s) URL or a file nemochat saved.

A render's ``outputUrl`` is whatever the server said; after a failed download
it is all the ledger has. The opener here is a stand-in on PATH that writes
down what it was given."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from shared_helpers import WAIT

from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path


@pytest.fixture
def opener(tmp_path, monkeypatch):
    bin_dir, launched = tmp_path / "bin", tmp_path / "launched"
    bin_dir.mkdir()
    os.mkfifo(launched)  # the opener runs detached: reading the FIFO waits for it to write
    script = bin_dir / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {launched}\n')
    script.chmod(stat.S_IRWXU)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "DISPLAY": ":0"}, launched


def _exported(url: str) -> None:
    with Ledger(ledger_path(Paths.default())) as ledger:
        job = ledger.add_job("render", {"format": "mp4"}, session_id="s1")
        ledger.update_job(job, status="done", url=url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ssh://evil.example/x", "--help", "/bin/sh", "https://cdn.example/a\x1b]0;PWN\x07.mp4"])
def test_a_stored_address_that_is_not_a_web_url_is_never_launched(nemochat, opener, url):
    env, launched = opener
    _exported(url)
    result = nemochat("open", env=env)
    assert result.returncode == 5, result.stderr
    assert "Not opening" in result.stderr and "\x1b" not in result.stderr + result.stdout
    assert _written(launched, wait=0) is None  # nothing launched (refused before any opener ran)


def test_a_web_url_is_opened(nemochat, opener):
    env, launched = opener
    _exported("https://cdn.example/video.mp4")
    result = nemochat("open", env=env)
    assert result.returncode == 0, result.stderr
    assert _written(launched, wait=WAIT) == "https://cdn.example/video.mp4\n"


def _written(fifo, *, wait: float) -> str | None:
    """What the opener wrote into ``fifo``; None if no opener had it open
    (``wait`` = 0) or none wrote within ``wait`` seconds."""
    if wait == 0:
        try:
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd) as pipe:
            return pipe.read() or None
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()), daemon=True)
    reader.start()
    reader.join(wait)
    return got[0] if got else None
