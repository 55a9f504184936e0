"""``nemochat preview [FILE | --last]``: a video's keyframes and the line
about it, on stdout (the answer); the sheet saved next to the file."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemochat.errors import UsageError


def preview_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="a video file")
    p.add_argument("--last", action="store_true", help="the last video nemochat exported or downloaded")


def run(args: argparse.Namespace) -> int:
    from nemochat.app.last_video import last_video
    from nemochat.app.runtime import make_view
    from nemochat.commands.common import settings_from
    from nemochat.preview import show

    settings = settings_from(args)
    view = make_view(settings)
    try:
        if args.file and args.last:
            raise UsageError("nemochat preview takes a FILE or --last, not both", key="preview.both")
        path = args.file or (last_video() if args.last else None)
        if path is None:
            raise UsageError("No video to preview." if args.last else "nemochat preview needs a FILE or --last",
                             action="Export one first: nemochat export." if args.last else "For example: nemochat preview clip.mp4",
                             key="preview.no_last" if args.last else "preview.none")
        ask = show.stdin_question(settings) if show.asks_terminal(settings) else None
        event = show.build(Path(path).expanduser(), show.terminal_target(settings, ask=ask), answer=True)
    except UsageError as error:
        view.error(error)
        return error.exit_code
    except ImportError as missing:
        view.error(UsageError(f"previews need PyAV and Pillow ({missing.name} is missing)", action="pip install av pillow",
                              key="preview.no_av", name=missing.name))
        return 1
    view.emit(event)
    view.done()
    return 0
