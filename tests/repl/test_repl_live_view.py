"""The streaming display: blocks printed once, the tail live, one status line."""

from __future__ import annotations

import asyncio
import io

from nemochat.core import ui_events as ui
from nemochat.core.events import Question, QuestionItem, QuestionOption
from nemochat.errors import BackendError, Interrupted
from nemochat.repl.jobs import JobManager
from nemochat.repl.live_view import LiveView, Unwatched, ViewEvents
from nemochat.repl.printer import Printer


def make_view(events: ViewEvents | None = None) -> tuple[LiveView, io.StringIO]:
    out = io.StringIO()
    view = LiveView(Printer(out), events=events, color=False)
    return view, out


def stream(view: LiveView, text: str, pieces: int = 7) -> None:
    size = max(1, len(text) // pieces)
    for i in range(0, len(text), size):
        view.emit(ui.MessageDelta(0, text[i : i + size]))


ANSWER = "First paragraph of the answer.\n\nSecond paragraph, still streaming"


def test_finished_blocks_print_once_and_the_tail_stays_live():
    view, out = make_view()
    view.emit(ui.UserSaid("hi", "s1"))
    stream(view, ANSWER)
    printed = out.getvalue()
    assert printed.count("First paragraph") == 1
    assert "Second paragraph" not in printed
    live = view.live_text(100, 10)
    assert "Second paragraph, still streaming" in live and "First paragraph" not in live

    view.emit(ui.Message(0, ANSWER))
    printed = out.getvalue()
    assert printed.count("First paragraph") == 1 and printed.count("Second paragraph") == 1
    assert "paragraph" not in view.live_text(100, 10)  # nothing left live: shown exactly once
    view.end_turn()
    assert view.live_text(100, 10) == "" and not view.active


def test_a_message_that_never_streamed_prints_whole():
    view, out = make_view()
    view.emit(ui.Message(0, "All **done**."))
    assert out.getvalue().count("All done.") == 1


def test_the_gui_talk_is_translated_in_the_printed_text():
    view, out = make_view()
    text = "Now click the Export button to download it."
    view.emit(ui.Message(0, text))
    assert "Export button" not in out.getvalue() and "/export" in out.getvalue()


def test_markup_from_the_server_prints_literally():
    view, out = make_view()
    view.emit(ui.Message(0, "Use [bold]this[/bold] \x1b[31mred"))
    assert "[bold]this[/bold]" in out.getvalue() and "\x1b[31m" not in out.getvalue()


def test_a_tall_tail_is_cropped_to_fit():
    view, _ = make_view()
    code = "```\n" + "\n".join(f"line {i}" for i in range(60))  # an unclosed fence: one growing block
    view.emit(ui.MessageDelta(0, code))
    live = view.live_text(100, 10).split("\n")
    assert len(live) <= 10 and "line 59" in live[-1]


def test_one_status_line_with_label_expectation_and_clock():
    view, out = make_view()
    view.emit(ui.UserSaid("make a clip", "s1"))
    assert "Thinking" in view.live_text(100, 10)
    view.emit(ui.ToolActivity("generate_video", "Generating video", "call", "usually 2-5 min"))
    line = view.live_text(100, 10)
    assert "Generating video · usually 2-5 min · 0:00" in line and line.count("\n") == 0
    view.emit(ui.ToolActivity("generate_video", "Generating video", "result"))
    assert "✓ Generating video (0:00)" in out.getvalue()
    assert "Generating" not in view.live_text(100, 10)


def test_a_transfer_shows_on_the_status_line_not_as_a_bar():
    view, out = make_view()
    view.emit(ui.TransferProgress("upload", "Uploading clip.mp4", 512, 1024, "bytes"))
    assert "Uploading clip.mp4" in view.live_text(100, 10)
    view.emit(ui.TransferProgress("upload", "Uploading clip.mp4", 1024, 1024, "bytes", finished=True))
    assert view.live_text(100, 10) == "" and out.getvalue() == ""


def test_thoughts_hidden_by_default_or_dimmed_markdown():
    view, out = make_view()  # (the default: hidden)
    view.emit(ui.Thought("secret"))
    assert "secret" not in out.getvalue()
    view.show_thoughts = True  # (/thoughts on)
    view.emit(ui.Thought("**Planning** the edit"))
    assert "Planning the edit" in out.getvalue() and "**" not in out.getvalue()


def test_stop_now_keeps_what_was_shown_and_empties_the_live_area():
    view, out = make_view()
    view.emit(ui.UserSaid("x", "s"))
    view.emit(ui.ToolActivity("generate_video", "Generating video", "call", None))
    stream(view, "half a sentence")
    view.stop_now()
    assert not view.active and view.live_text(100, 10) == ""
    assert out.getvalue().count("half a sentence") == 1 and "(stopped here)" in out.getvalue()


def test_interrupted_reads_calm_other_errors_read_red():
    view, out = make_view()
    view.error(Interrupted("Stopped. The agent may still be working."))
    view.error(BackendError("The server failed", action="Try again."))
    text = out.getvalue()
    assert "⏹ Stopped." in text and "✗ The server failed" in text and "Try again." in text


def test_questions_are_lettered():
    view, out = make_view()
    q = Question("Pick a style", (QuestionItem("s", "Which style?", (QuestionOption("a", "Cinematic"), QuestionOption("b", "Anime"))),))
    view.emit(ui.QuestionAsked(q))
    assert "A) Cinematic" in out.getvalue() and "B) Anime" in out.getvalue()


def test_session_ready_prints_the_claim_link_and_tells_the_loop():
    seen = []

    class Loop(Unwatched):
        def session_ready(self, event: ui.SessionReady) -> None:
            seen.append(event)

    view, out = make_view(Loop())
    view.emit(ui.SessionReady("abcdef123456", "t", "u", claim_url="https://nemovideo.com/workspace/claim?ct=clm_x"))
    assert "https://nemovideo.com/workspace/claim?ct=clm_x" in out.getvalue()
    assert view.claim_url and seen


def test_events_inside_a_job_can_be_taken_by_the_loop():
    taken = []

    class Loop(Unwatched):
        def job_event(self, job, event):
            taken.append((job.kind, type(event).__name__))
            return isinstance(event, ui.TransferProgress)

    view, out = make_view(Loop())

    async def main() -> None:
        jobs = JobManager()

        async def body(job):
            view.emit(ui.TransferProgress("render:r1", "Rendering", 50, 100, "%"))
            view.emit(ui.Notice("something to say"))
            return "/tmp/out.mp4"

        job = jobs.start("export", "Export", body)
        await job.task

    asyncio.run(main())
    assert taken == [("export", "TransferProgress"), ("export", "Notice")]
    assert "something to say" in out.getvalue()
    view.emit(ui.Notice("outside any job"))
    assert len(taken) == 2


def test_actions_in_the_repl_name_slash_commands_without_backticks():
    from nemochat.repl.live_view import in_repl

    view, out = make_view()
    view.error(BackendError("The stream dropped", action="Check later with `nemochat status`."))
    view.emit(ui.ErrorShown("x", "Something broke", action="Run `nemochat credits` to see your balance."))
    text = out.getvalue()
    assert "Check later with /status." in text and "Run /credits to see" in text
    assert "`" not in text and "nemochat status" not in text
    assert in_repl("nemochat login, then nemochat sora submit --yes") == "nemochat login, then /sora submit --yes"


def test_a_plain_paragraph_tail_is_wrapped_as_rich_would():
    """The live tail's fast path (a paragraph of plain words, no Markdown) shows
    the lines rich's Markdown shows; anything with markup still goes through rich."""
    from nemochat.repl.live_text import plain_paragraph as _plain_paragraph, trim_blank_lines, wrap_words
    from nemochat.repl.printer import render_ansi
    from nemochat.ui.markdown_render import markdown

    text = " ".join(f"word{i} lo-fi" for i in range(80)) + "\nnext line " + "x" * 130
    assert _plain_paragraph(text)
    assert not any(_plain_paragraph(t) for t in ("a **b**", "- item", "1. one", "## title", "para\n---", "`code`", "a\n\nb"))
    for width in (40, 99):
        rich_lines = [line.rstrip() for line in trim_blank_lines(render_ansi(markdown(text), width, color=False)).splitlines()]
        assert wrap_words(text, width) == rich_lines


def test_the_printer_asks_the_hold_it_was_built_with():
    """The loop's pacing reaches the printer through its constructor: each
    batch of text asks ``hold`` how long it may wait (0: at once)."""
    asked = []

    def hold() -> float:
        asked.append(True)
        return 0.0

    async def main() -> str:
        out = io.StringIO()
        printer = Printer(out, hold=hold)
        printer.start()
        printer.write("one line\n")
        await printer.stop()
        return out.getvalue()

    assert asyncio.run(main()) == "one line\n"
    assert asked


def test_an_unfinished_block_shows_as_its_source_then_renders_once_complete():
    """A list, code or a heading still arriving is shown as its Markdown
    source (cheap to redraw each frame), fitted to the width; once complete
    it is printed rendered, and nothing of it stays live."""
    from rich.cells import cell_len

    from nemochat.repl.live_text import source_lines

    view, out = make_view()
    view.emit(ui.UserSaid("hi", "s1"))
    code = "```python\nclip = 'a line of code much wider than the live area is allowed to be, so it is cut'\n\n    indented = 1\n"
    stream(view, "- first item of a list\n- second item, still arriving " + "word " * 20 + "\n\n" + code)
    assert "• first item" in out.getvalue() and "- first item" not in out.getvalue(), "the finished list printed rendered"
    live = [line.rstrip() for line in view.live_text(40, 10).split("\n")]
    assert live[1:3] == ["```python", "clip = 'a line of code much wider than"], "the open fence and its code, cut at the width"
    assert "    indented = 1" in live and all(cell_len(line) <= 39 for line in live)
    view.emit(ui.Message(0, view.streams[0].splitter.text + "```\n", view.streams[0].splitter.text + "```\n"))
    assert "```" not in out.getvalue() and "indented = 1" in out.getvalue() and "clip" not in view.live_text(40, 10)

    assert source_lines("\n  - nested item with words " + "x" * 50 + "\n", 30) == ["  - nested item with words", "  " + "x" * 28, "  " + "x" * 22]


def test_live_lines_are_padded_to_the_width_only_where_the_terminal_reflows(monkeypatch):
    """On a terminal that reflows (tmux...) a resize's erase counts the live
    rows as tmux sees them, full width; elsewhere the blanks are only cost."""
    for reflows in (True, False):
        monkeypatch.setenv("NEMOCHAT_TERMINAL_REFLOWS", "1" if reflows else "0")
        view, _ = make_view()
        stream(view, "a paragraph still arriving")
        lines = view.live_text(40, 10).split("\n")
        assert [len(line) for line in lines] == ([39] if reflows else [len("a paragraph still arriving")])
