"""kitty's graphics protocol (kitty, WezTerm, Ghostty, Konsole): the sheet's
PNG, base64, in APC escape sequences of at most 4096 bytes of payload each
(the protocol's limit per chunk).

https://sw.kovidgoyal.net/kitty/graphics-protocol/ : ``a=T`` transmit and
show, ``f=100`` PNG, ``q=2`` no replies (they would arrive as typed keys),
``c`` the columns to fill, ``m=1`` more chunks follow.
"""

from __future__ import annotations

import base64

CHUNK = 4096


def render(png: bytes, *, width: int, height: int, columns: int) -> str:
    data = base64.standard_b64encode(png).decode("ascii")
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [""]
    out = []
    for i, chunk in enumerate(chunks):
        more = 1 if i < len(chunks) - 1 else 0
        keys = f"a=T,f=100,q=2,s={width},v={height},c={columns},m={more}" if i == 0 else f"m={more}"
        out.append(f"\x1b_G{keys};{chunk}\x1b\\")
    return "".join(out) + "\n"
