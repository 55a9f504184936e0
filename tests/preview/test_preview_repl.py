"""In the REPL a preview never lands inside an answer: one that is ready
while the agent streams waits for the answer to end."""

from __future__ import annotations

import asyncio
import io
from types import SimpleNamespace

from nemochat.core import ui_events as ui
from nemochat.repl import preview as previews
from nemochat.repl.live_view import LiveView
from nemochat.repl.printer import Printer

PREVIEW = ui.PreviewShown("/v/clip.mp4", "/v/clip.preview.png", 10.0, 320, 180, (1.0, 5.0), "clip.mp4 · 10.0 s", drawing="[frames]\n")


def test_a_preview_ready_during_an_answer_is_printed_after_it():
    async def scenario() -> str:
        out = io.StringIO()
        printer = Printer(out)
        view = LiveView(printer, color=True)  # (a colour terminal: drawings are for terminals)
        answer_ends = asyncio.Event()

        async def turn() -> None:
            await answer_ends.wait()
            view.emit(ui.Message(0, "The last words of the answer."))

        side: list[asyncio.Task] = []
        answer = asyncio.create_task(turn())
        repl = SimpleNamespace(answer_task=lambda: answer, printer=printer, view=view,
                               changed=lambda: None, background=lambda work: side.append(asyncio.create_task(work)))
        previews.later(repl, PREVIEW)  # (e.g. a Sora video just arrived)
        await asyncio.sleep(0)  # a turn of the loop: the preview's task runs up to its wait
        assert "[frames]" not in out.getvalue()
        answer_ends.set()
        await asyncio.gather(answer, *side)
        return out.getvalue()

    printed = asyncio.run(scenario())
    assert printed.index("The last words") < printed.index("[frames]") < printed.index("▶ clip.mp4 · 10.0 s")


def test_with_no_answer_streaming_it_is_printed_at_once():
    async def scenario() -> str:
        out = io.StringIO()
        printer = Printer(out)
        side: list[asyncio.Task] = []
        repl = SimpleNamespace(answer_task=lambda: None, printer=printer, view=LiveView(printer, color=False),
                               changed=lambda: None, background=lambda work: side.append(asyncio.create_task(work)))
        previews.later(repl, ui.Notice("No preview: clip.mp4 is not a video", "warning"))
        await asyncio.gather(*side)
        return out.getvalue()

    assert "No preview: clip.mp4 is not a video" in asyncio.run(scenario())
