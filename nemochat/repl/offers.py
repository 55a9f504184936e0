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

from nemochat.repl.choices import Offer


class OfferDesk:
    """Mixed into the loop: ``offers`` and ``_asks`` live on it."""

    offers: list[Offer]
    lang: str
    _asks: dict[int, asyncio.Future[bool]]

    def busy(self) -> bool:  # the loop's
        raise NotImplementedError

    def changed(self) -> None:  # the loop's
        raise NotImplementedError

    def say(self, message: str, style: str = "") -> None:  # the loop's
        raise NotImplementedError

    def say_text(self, key: str) -> str:  # the loop's: its own words, in its language
        raise NotImplementedError

    def take_offer(self, offer: Offer) -> None:  # the loop's: do what was offered
        raise NotImplementedError

    @property
    def offer(self) -> Offer | None:
        """The offer the prompt asks now. While the agent answers, only the
        urgent ones: quitting, and a question someone waits on (a cost)."""
        if not self.offers:
            return None
        first = self.offers[0]
        urgent = first.kind == "quit" or id(first) in self._asks
        return first if urgent or not self.busy() else None

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
        self.changed()
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

    def answer_offer(self, yes: bool, *, quietly: bool = False) -> None:
        """``quietly``: declined by the user's next message, which shows instead."""
        offer = self.offers.pop(0)
        if not quietly:
            self.say(offer.question + " " + self.say_text("answer_yes" if yes else "answer_no"), "dim")
        future = self._asks.get(id(offer))
        if future is not None:
            if not future.done():
                future.set_result(yes)
        elif yes:
            self.take_offer(offer)
        self.changed()
