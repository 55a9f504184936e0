"""When streamed text is redrawn (frames.Frames): the decisions, on a clock
the test sets and a loop that records its timers (nothing waits)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nemochat.repl import frames as frames_module
from nemochat.repl.frames import TEXT_WAIT, Frames


class Loop:
    """Records ``call_later``; the test fires the timers."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, object]] = []

    def is_closed(self) -> bool:
        return False

    def call_later(self, delay: float, callback):
        self.timers.append((delay, callback))
        return SimpleNamespace(cancel=lambda: None)

    def fire(self) -> float:
        delay, callback = self.timers.pop(0)
        callback()
        return delay


class App:
    is_running = True

    def __init__(self) -> None:
        self.invalidated = 0

    def invalidate(self) -> None:
        self.invalidated += 1


@pytest.fixture
def setup(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(frames_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    app, loop = App(), Loop()
    frames = Frames(app, view=SimpleNamespace(streaming=True), printer=None, jobs=None, changed=lambda: None)
    frames._loop = loop  # (start() takes the running loop; here, the recording one)
    return frames, app, loop, clock


def test_text_after_a_pause_is_drawn_at_once_then_frames_wait_for_more_text(setup):
    frames, app, loop, clock = setup
    frames.streamed()
    assert loop.fire() == 0.0 and app.invalidated == 1
    frames._rendered(app)  # the redraw happened
    clock[0] += 0.01
    frames.streamed()  # a piece 10 ms after a frame: its frame waits for the pieces after it
    clock[0] += 0.02
    frames.streamed()
    assert len(loop.timers) == 1, "one frame for the pieces that came meanwhile"
    assert loop.fire() == TEXT_WAIT and app.invalidated == 2


def test_a_frame_already_drawn_by_another_redraw_is_not_drawn_again(setup):
    frames, app, loop, clock = setup
    frames._rendered(app)
    clock[0] += 0.01
    frames.streamed()
    frames._rendered(app)  # the printer redrew the prompt's area meanwhile: the text is on the screen
    loop.fire()
    assert app.invalidated == 0
    clock[0] += 0.01
    frames.streamed()  # new text after that redraw still gets its frame
    loop.fire()
    assert app.invalidated == 1
