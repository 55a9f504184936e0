"""iTerm2's inline images (iTerm2, WezTerm, VS Code's terminal): the sheet's
PNG in one OSC 1337 ``File=`` sequence.

https://iterm2.com/documentation-images.html
"""

from __future__ import annotations

import base64


def render(png: bytes, *, columns: int) -> str:
    data = base64.standard_b64encode(png).decode("ascii")
    return f"\x1b]1337;File=inline=1;size={len(png)};width={columns};preserveAspectRatio=1:{data}\x07\n"
