"""How a hint names a command of the command line: ``nemochat status``, or
``nemochat --demo status`` when the command giving the hint runs the demo
(a plain ``nemochat status`` would ask the real backend, not the demo's world).

The command line sets ``demo`` once, before any command runs; asyncio tasks
and worker threads copy it with the rest of the context.
"""

from __future__ import annotations

from contextvars import ContextVar

demo: ContextVar[bool] = ContextVar("nemochat_demo_hints", default=False)


def command(words: str) -> str:
    """``command("status")`` -> "nemochat status" (or "nemochat --demo status")."""
    return f"nemochat --demo {words}" if demo.get() else f"nemochat {words}"
