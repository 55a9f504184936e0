"""The bottom toolbar is always on the screen, with no key pressed: at the
start, after an answer, after /credits, while a job runs (its progress moves).

These terminals answer the program's cursor position requests, as real ones
do (prompt_toolkit hid the toolbar until the answer came, then waited for a key).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

CLIP = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "clip.mp4"


def toolbar_shows(term, pattern: str):
    return lambda: re.search(pattern, term.bottom()) is not None


def test_the_toolbar_is_there_at_the_start_and_after_each_answer(spawn, sim):
    term = spawn("--api-base", sim.base_url, cpr=True)
    term.expect("Ready")
    term.until(toolbar_shows(term, r"session [0-9a-f]{8} · [\d.]+ credits"))  # no key pressed
    term.line("/credits")
    term.expect(r"Credits: .*available")
    term.until(toolbar_shows(term, r"[\d.]+ credits"))
    term.line("hello there")
    term.expect(r"ready to export")
    term.until(toolbar_shows(term, r"[\d.]+ credits · /help"))


def test_without_cursor_reports_the_toolbar_shows_under_the_prompt(repl):
    repl.until(lambda: any(re.search(r"session [0-9a-f]{8} · [\d.]+ credits", line) for line in repl.screen.display))


def test_a_jobs_progress_moves_while_nobody_types(spawn, sim):
    sim.world.configure(render_progress_per_poll=10)  # ten polls
    term = spawn("--api-base", sim.base_url, "--poll-interval", "0.1", cpr=True)
    term.expect("Ready")
    term.line(f"/upload {CLIP}")
    term.expect(r"Added to your project")
    term.line("/export")
    term.expect(r"Export runs in the background")
    seen: list[str] = []

    def progress_moved() -> bool:
        match = re.search(r"export (\d+)%", term.bottom())
        if match and match.group(1) not in seen:
            seen.append(match.group(1))
        return len(seen) >= 3

    term.until(progress_moved)
    assert [int(p) for p in seen] == sorted(int(p) for p in seen)
    term.expect(r"Export finished")
    term.until(toolbar_shows(term, r"[\d.]+ credits · /help"))  # and after the job


def test_at_50_columns_the_toolbar_keeps_the_percentage_and_sessions_keep_their_ids(spawn, sim):
    sim.world.configure(render_progress_per_poll=10)
    term = spawn("--api-base", sim.base_url, "--poll-interval", "0.3", cpr=True, columns=50)
    term.expect("Ready")
    term.line("a slow pan over a quiet harbour at dawn, gulls, fog")  # the session gets a long title
    term.expect(r"ready to export")
    term.line("/session")
    session_id = term.expect(r"[0-9a-f]{8}-[0-9a-f-]{27}")
    term.line("/sessions")
    term.expect(r"Switch with /session ID")
    term.until(lambda: any(line.startswith("●") and session_id in line for line in term.lines()))  # whole, on its line
    term.line(f"/upload {CLIP}")
    term.expect(r"Added to your project")
    term.line("/export")
    term.expect(r"Export runs in the background")
    term.until(toolbar_shows(term, r"[\d.]+ credits · ⏳ export \d+%$"))
    assert len(term.bottom()) <= 50
