"""When provider jobs poll, and how NanoPhoto's request budget is kept.

- ``poll_policy``: each provider's own guidance, then settings, then
  ``--poll-interval``, then the command's flags.
- ``RequestBudget``: 100 requests per hour per API key, counted in the
  shared ledger across jobs and processes; intervals stretch when more than
  half of it is used, and a full budget waits for a free slot.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from nemochat.core.ui_events import Notice, UIEvent
from nemochat.settings import Settings

Emit = Callable[[UIEvent], None]
WINDOW = 3600.0


# -- when to poll -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PollPolicy:
    initial_delay: float
    interval: float
    max_wait: float


def poll_policy(kind: str, settings: Settings, *, initial: float | None = None, interval: float | None = None, max_wait: float | None = None) -> PollPolicy:
    """Provider guidance (Sora: 120 s, then every 20 s, at most 1200 s; Veo:
    every 8 s, at most 1800 s), then settings, then ``--poll-interval``, then
    the command's own flags. The demo's simulator needs no patience."""
    first, every, most = {
        "sora2": (settings.sora_initial_delay, settings.sora_interval, settings.sora_max_wait),
        "veo3.1": (settings.veo_interval, settings.veo_interval, settings.veo_max_wait),
        "gateway": (settings.gateway_interval, settings.gateway_interval, settings.gateway_max_wait),
    }[kind]
    if settings.poll_interval is not None:
        every, first = settings.poll_interval, min(first, settings.poll_interval)
    if settings.demo:
        every, first = min(every, 1.0), min(first, 1.0)
    return PollPolicy(
        initial_delay=max(0.0, first if initial is None else initial),
        interval=max(0.0, every if interval is None else interval),
        max_wait=max(0.0, most if max_wait is None else max_wait),
    )


class Budget(Protocol):
    async def spend(self) -> None: ...
    def stretch(self, interval: float) -> float: ...


class NoBudget:
    async def spend(self) -> None:
        return None

    def stretch(self, interval: float) -> float:
        return interval


@dataclass
class RequestBudget:
    """NanoPhoto's requests per hour per key, counted in the shared ledger."""

    ledger: Any
    key_hint: str
    limit: int
    emit: Emit
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def spend(self) -> None:
        """Count one request, waiting first while the last hour's budget is used up."""
        if self.limit <= 0:
            return
        while not self.ledger.reserve_request(self.key_hint, self.clock(), limit=self.limit, window=WINDOW):
            wait = self.wait_for_slot()
            self.emit(Notice(f"NanoPhoto allows {self.limit} requests per hour per API key and this key used them all; "
                             f"waiting {wait:.0f} s for the next one.", kind="working", key="nanophoto.hourly_limit",
                             values=(("limit", str(self.limit)), ("wait", f"{wait:.0f}"))))
            await self.sleep(wait)

    def wait_for_slot(self) -> float:
        """Seconds until the oldest counted request leaves the window (bisection
        over the ledger's counts: it stores times, we only ask counts)."""
        now = self.clock()
        low, high = now - WINDOW, now + 1.0
        while high - low > 0.5:
            mid = (low + high) / 2
            if self.ledger.count_requests(self.key_hint, mid) >= self.limit:
                low = mid
            else:
                high = mid
        return max(1.0, high + WINDOW - now)

    def stretch(self, interval: float) -> float:
        """Past half the budget, spread what is left over the hour."""
        used = self.ledger.count_requests(self.key_hint, self.clock() - WINDOW)
        if self.limit <= 0 or used < self.limit // 2:
            return interval
        return max(interval, WINDOW / max(1, self.limit - used))
