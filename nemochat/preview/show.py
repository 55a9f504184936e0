"""A preview from start to view: decide how the terminal draws, read the
frames and save the sheet (in a worker thread: the event loop, and the
REPL's prompt, never wait on the decoder), and hand one ``PreviewShown``
event to the view. A file that can't be previewed costs one notice line,
never the export or download that made it."""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemochat.core.sanitize import clean_line
from nemochat.core.ui_events import Notice, PreviewShown, UIEvent

FRAMES = 6
CELL_PX = 10  # a guess at a cell's width in pixels when the terminal won't say

# Set by the REPL for its tasks: how it finds the target (it asks the terminal
# from inside its printer, while prompt_toolkit is not reading the keys).
repl_target: contextvars.ContextVar[Callable[[Any], Awaitable[Target]] | None] = contextvars.ContextVar(
    "nemochat_preview_target", default=None)


@dataclass(frozen=True)
class Target:
    kind: str  # one of detect.KINDS
    columns: int
    pixel_width: int  # the terminal's width in pixels (a guess when unknown)


def terminal_target(settings: Any, *, stream: Any = None, ask: Callable[[], tuple[int, ...] | None] | None = None) -> Target:
    """How ``stream`` (stdout by default) draws, per the ``preview`` setting."""
    from nemochat.preview import detect

    stream = stream or sys.__stdout__
    try:
        fd = stream.fileno()
        terminal = os.isatty(fd) and not getattr(settings, "json", False)
    except (AttributeError, OSError, ValueError):
        fd, terminal = None, False
    env = dict(os.environ)
    if getattr(settings, "no_color", False):
        env["NO_COLOR"] = "1"
    kind = detect.choose(getattr(settings, "preview", "auto"), env, terminal=terminal, ask=ask)
    columns, pixels = 80, 0
    if fd is not None and terminal:
        columns, pixels = _size(fd)
    return Target(kind, columns, pixels or columns * CELL_PX)


def _size(fd: int) -> tuple[int, int]:
    try:
        import fcntl
        import struct
        import termios

        rows, cols, xpix, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
        return cols or 80, xpix
    except (OSError, ImportError):
        return 80, 0


def stdin_question(settings: Any) -> Callable[[], tuple[int, ...] | None]:
    """The device-attributes question on this process's terminal (one-shot commands)."""
    from nemochat.preview.detect import device_attributes

    def ask() -> tuple[int, ...] | None:
        stdout = sys.__stdout__
        if stdout is None:  # no terminal to ask
            return None
        try:
            return device_attributes(sys.stdin.fileno(), stdout.fileno(), settings.preview_query_timeout)
        except (AttributeError, OSError, ValueError):
            return None

    return ask


def build(path: str | Path, target: Target, *, answer: bool = False) -> PreviewShown:
    """Read the frames, save ``<name>.preview.png``, draw for ``target`` (blocking)."""
    from nemochat.preview import sheet as sheets
    from nemochat.preview.frames import PreviewError, read_clip

    clip = read_clip(path, count=FRAMES)
    image = sheets.compose(clip)
    sheet = sheets.sheet_path(path)
    saved: Path | None = sheet
    try:
        png = sheets.save(image, sheet)
    except OSError:  # a read-only folder: show the preview all the same
        saved, png = None, b""
    try:
        drawing = draw(clip, image, png, target)
    except (OSError, ValueError) as error:
        raise PreviewError(f"could not draw the preview: {error}", key="preview.draw", reason=error) from None
    return PreviewShown(clip.path, str(saved) if saved else None, clip.duration_s, clip.width, clip.height,
                        tuple(f.t for f in clip.frames), f"{Path(clip.path).name} · {sheets.describe(clip)}", drawing, answer)


def draw(clip: Any, image: Any, png: bytes, target: Target) -> str:
    """The escape sequences that show the sheet on ``target`` ("" for none)."""
    if target.kind == "none":
        return ""
    if target.kind in ("blocks", "blocks256"):
        from nemochat.preview import blocks

        return blocks.render(clip.frames, target.columns, truecolor=target.kind == "blocks")
    width = min(image.width, target.pixel_width)
    columns = max(1, min(target.columns, round(target.columns * width / target.pixel_width)))
    if target.kind == "sixel":
        from nemochat.preview import sixel

        if width < image.width:
            image = image.resize((width, max(1, round(image.height * width / image.width))))
        return sixel.render(image)
    if not png:
        import io

        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        png = buffer.getvalue()
    if target.kind == "kitty":
        from nemochat.preview import kitty

        return kitty.render(png, width=image.width, height=image.height, columns=columns)
    from nemochat.preview import iterm

    return iterm.render(png, columns=columns)


async def make(path: str | Path, target: Target, *, answer: bool = False, lang: str = "en") -> PreviewShown | Notice:
    """``build`` in a worker thread; what went wrong as a notice."""
    from nemochat.errors import NemochatError

    try:
        return await asyncio.to_thread(build, path, target, answer=answer)
    except ImportError as missing:
        return Notice(f"No preview: {missing.name or 'PyAV/Pillow'} is not installed (pip install av pillow).", kind="warning",
                      key="preview.not_installed", values=(("name", missing.name or "PyAV/Pillow"),))
    except NemochatError as error:
        return Notice(f"No preview: {clean_line(error.message)}", kind="warning", key="preview.failed",
                      values=(("error", clean_line(error.say(lang)[0])),))


async def after_download(path: str | Path | None, emit: Callable[[UIEvent], None], settings: Any) -> None:
    """The preview of a file just exported or downloaded (unless ``preview = off``)."""
    if not path or getattr(settings, "preview", "auto") == "off":
        return
    in_repl = repl_target.get()
    if in_repl is not None:
        target = await in_repl(settings)
    else:
        ask = stdin_question(settings) if asks_terminal(settings) else None
        target = await asyncio.to_thread(terminal_target, settings, ask=ask)
    emit(await make(path, target, lang=getattr(settings, "lang", "en")))


def asks_terminal(settings: Any) -> bool:
    try:
        return sys.stdin.isatty() and not settings.json
    except (AttributeError, ValueError):
        return False
