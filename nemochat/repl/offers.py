"""Offers at the prompt: yes/no questions answered with a line.

Three kinds share the prompt line: the offers a turn leaves ("Export the
video now? [Y/n]"), the quit confirmation while something still runs, and
``confirm()``: a question some code awaits (a Sora cost, "Submit? [y/N]").
While the agent answers only the urgent ones (quit, awaited) are asked.
Enter answers (``choices.Offer.decide``); other words, or Ctrl-C, decline
them, and the words stay the user's message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nemochat.repl.choices import Offer


class OfferDesk:
    """The offers waiting at the prompt, owned by the loop (``loop.Repl``),
    which gives it what it needs to know and do when it is built."""

    def __init__(
        self,
        *,
        busy: Callable[[], bool],  # the agent is answering: only urgent offers are asked
        changed: Callable[[], None],  # the prompt's area is to be redrawn
        say: Callable[[str, str], None],  # a line above the prompt, with a style
        say_text: Callable[[str], str],  # the loop's own words, in its language
        take: Callable[[Offer], None],  # do what a taken offer offered
    ) -> None:
        self._busy, self._changed, self._say, self._say_text, self._take = busy, changed, say, say_text, take
        self.offers: list[Offer] = []
        self._asks: dict[int, asyncio.Future[bool]] = {}  # offers someone awaits (confirm)

    @property
    def offer(self) -> Offer | None:
        """The offer the prompt asks now. While the agent answers, only the
        urgent ones: quitting, and a question someone waits on (a cost)."""
        if not self.offers:
            return None
        first = self.offers[0]
        urgent = first.kind == "quit" or id(first) in self._asks
        return first if urgent or not self._busy() else None

    async def confirm(self, question: str, *, default: bool = False) -> bool:
        """A yes/no asked at the prompt ("… costs 4 credits. Submit?"),
        answered with a line. ``default``: what Enter alone means; it stays
        no for anything that spends credits (only a typed yes spends). A
        "[y/N]" the question carries for a terminal is not shown twice."""
        bare = question.rstrip()
        for suffix in ("[y/N]", "[Y/n]"):
            bare = bare.removesuffix(suffix).rstrip()
        offer = Offer("ask", bare, default_yes=default)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._asks[id(offer)] = future
        self.offers.insert(0, offer)
        self._changed()
        try:
            return await future
        finally:
            self._asks.pop(id(offer), None)
            self.offers = [o for o in self.offers if o is not offer]

    def drop_offers(self) -> None:
        for offer in self.offers:
            future = self._asks.get(id(offer))
            if future is not None and not future.done():
                future.set_result(False)
        self.offers.clear()

    def add(self, offer: Offer) -> None:
        self.offers.append(offer)

    def extend(self, offers: list[Offer]) -> None:
        self.offers.extend(offers)

    def answer_offer(self, yes: bool, *, quietly: bool = False) -> None:
        """``quietly``: declined by the user's next message, which shows instead."""
        offer = self.offers.pop(0)
        if not quietly:
            self._say(offer.question + " " + self._say_text("answer_yes" if yes else "answer_no"), "dim")
        future = self._asks.get(id(offer))
        if future is not None:
            if not future.done():
                future.set_result(yes)
        elif yes:
            self._take(offer)
        self._changed()
