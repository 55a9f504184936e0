"""The answer as it streams to a file or a pipe, and the resize arithmetic of the REPL."""

from __future__ import annotations

import io
import random

import pytest

from nemochat.core.gui import translate_gui
from nemochat.core.sanitize import clean
from nemochat.repl.reflow import reflowed_rows, terminal_reflows
from nemochat.ui.answer_stream import PlainAnswer

TEXTS = [
    "Here's your clip. Click the **Export** button in the top-right corner to download it.\n\nAnything else?",
    "All set: drag the clip onto the timeline, then preview it in the timeline, or open the media panel.",
    "完成了！点击右上角的导出按钮即可下载。你也可以在时间线上预览一下效果。",
    "A list:\n\n- one \x1b[31mred\x1b[0m item\n- click Generate to go on\n\n```python\nx = 1\n```\n",
]


class Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes: list[str] = []

    def flush(self) -> None:
        self.flushes.append(self.getvalue())


def stream(pieces: list[str]) -> Writes:
    out = Writes()
    plain = PlainAnswer(out)
    for piece in pieces:
        plain.feed(piece)
    plain.finish()
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_however_it_is_cut_the_pipe_gets_the_text_translated_as_a_whole(text):
    whole = clean(translate_gui(text, one_shot=True).text).rstrip("\n") + "\n"
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, min(30, len(text) - 1))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=False)]
        assert stream(pieces).getvalue() == whole, pieces


def test_words_are_written_and_flushed_as_they_arrive():
    out = Writes()
    plain = PlainAnswer(out)
    plain.feed("The rain falls ")
    assert out.getvalue() == "The rain falls "  # flushed at once: `| tee` shows it
    assert out.flushes[-1] == "The rain falls "
    plain.feed("on the stre")
    assert out.getvalue() == "The rain falls on the "  # a word still arriving waits for its end
    plain.feed("et. Now click the Export")
    assert out.getvalue() == "The rain falls on the street."  # a clause that may be GUI talk waits for its end
    plain.feed(" button.")
    plain.finish()
    assert out.getvalue() == "The rain falls on the street. Now export it (`nemochat export`).\n"


def test_reflowed_rows_count_what_a_narrower_terminal_makes_of_each_row():
    assert reflowed_rows([119, 45], cursor_x=2, columns=120) == 2  # nothing to reflow
    assert reflowed_rows([119, 45], cursor_x=2, columns=80) == 3
    assert reflowed_rows([0, 160, 80], cursor_x=90, columns=80) == 1 + 2 + 1 + 1


def test_only_terminals_known_to_reflow_get_the_longer_erase():
    assert terminal_reflows({"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color"})
    assert terminal_reflows({"TERM_PROGRAM": "iTerm.app"})
    assert not terminal_reflows({"TERM": "xterm-256color"})  # xterm cuts rows: the erase must not go higher
    assert not terminal_reflows({"TMUX": "x", "NEMOCHAT_TERMINAL_REFLOWS": "0"})


def test_a_message_that_turns_out_to_be_noise_is_never_written():
    from nemochat.core import ui_events as ui
    from nemochat.ui.consoles import PipeConsole
    from nemochat.ui.rich_view import RichView

    out = io.StringIO()
    view = RichView(PipeConsole(file=out, width=40))
    for piece in ("I encountered ", "a temporary ", "issue. Please try again."):
        view.emit(ui.MessageDelta(3, piece))
    view.emit(ui.MessageDropped(3))
    for piece in ("I want ", "rain ", "here."):
        view.emit(ui.MessageDelta(4, piece))
    assert out.getvalue() == "I want rain "  # written as it arrives once it cannot be noise
    view.emit(ui.Message(4, "I want rain here."))
    view.done()
    assert out.getvalue() == "I want rain here.\n\n"


def test_a_dumb_terminal_gets_the_text_as_it_arrives_not_a_live_area():
    from nemochat.core import ui_events as ui
    from nemochat.ui.consoles import PipeConsole
    from nemochat.ui.rich_view import RichView

    out = io.StringIO()
    view = RichView(PipeConsole(file=out, width=40, force_terminal=True, _environ={"TERM": "dumb"}))
    view.emit(ui.MessageDelta(1, "rain on the "))
    assert out.getvalue() == "rain on the "  # no cursor movement a dumb terminal would print as garbage
