"""A window made narrower while the prompt's area is on the screen.

On a resize prompt_toolkit erases its area by moving up as many rows as it
drew and redraws it. Most terminals (tmux, VTE, iTerm2, kitty, Konsole,
Windows Terminal...) *reflow* on a narrower window: each drawn row longer
than the new width now takes two or more rows, so that move stops short and
the top of the old area (the answer's live lines) stays in the scrollback
above the redrawn one, a duplicate of what the user just read. Here the move goes up
as many rows as the area takes once reflowed.

A terminal that cuts rows instead (xterm, the Linux console) must not get
the longer move (it would erase lines printed above), so it is used only
where the terminal is known to reflow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

# Environment variables set by terminals that reflow (or by tmux and screen, which do).
_REFLOWING_VARS = ("TMUX", "VTE_VERSION", "KITTY_WINDOW_ID", "KONSOLE_VERSION", "WT_SESSION", "ALACRITTY_WINDOW_ID", "WEZTERM_PANE")
_REFLOWING_PROGRAMS = ("iTerm.app", "Apple_Terminal", "WezTerm", "vscode", "ghostty", "tmux")


def terminal_reflows(env: Mapping[str, str] = os.environ) -> bool:
    if env.get("NEMOCHAT_TERMINAL_REFLOWS") in ("0", "1"):  # what the user knows better
        return env["NEMOCHAT_TERMINAL_REFLOWS"] == "1"
    return any(env.get(name) for name in _REFLOWING_VARS) or env.get("TERM_PROGRAM", "") in _REFLOWING_PROGRAMS


def reflowed_rows(rows: list[int], cursor_x: int, columns: int) -> int:
    """How many rows lie above the cursor once rows of these drawn widths
    (the rows above the cursor's, top first) are reflowed to ``columns``."""
    columns = max(1, columns)
    return sum(max(1, -(-width // columns)) for width in rows) + cursor_x // columns


def _drawn_widths(renderer: Any, above: int) -> list[int]:
    """The width of each row prompt_toolkit drew above row ``above``, counted
    as its renderer counts it: up to the last cell that is not a plain blank
    (a blank with a style is drawn, and a terminal reflows it too)."""
    screen = renderer._last_screen
    styled = getattr(renderer, "_style_string_has_style", None)
    widths = []
    for y in range(above):
        row = screen.data_buffer[y]
        drawn = [x + 1 for x, cell in row.items() if cell.char != " " or (styled is not None and styled[cell.style])]
        widths.append(max(drawn, default=0))
    return widths


def follow_reflow(app: Any, env: Mapping[str, str] = os.environ) -> None:
    """Make ``app``'s resize erase the whole reflowed area (on terminals that reflow)."""
    if not terminal_reflows(env):
        return
    original = app._on_resize  # (prompt_toolkit looks the handler up when the app starts)

    def on_resize() -> None:
        renderer = app.renderer
        screen, cursor = getattr(renderer, "_last_screen", None), getattr(renderer, "_cursor_pos", None)
        if screen is not None and cursor is not None:
            try:
                columns = app.output.get_size().columns
                extra = reflowed_rows(_drawn_widths(renderer, cursor.y), cursor.x, columns) - cursor.y
            except Exception:  # never let a resize break the prompt
                extra = 0
            if extra > 0:
                app.output.cursor_up(extra)  # then prompt_toolkit's own erase goes up the rows it knows of
        original()

    app._on_resize = on_resize
