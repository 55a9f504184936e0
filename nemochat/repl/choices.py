"""Offers and lettered answers (pure: no terminal, no network).

- An *offer* turns a GUI action the backend asked for ("click Export") into a
  yes/no asked at the prompt: "Export now? [Y/n]". It is answered with a
  line, never a single key (a key is the first letter of the next message):
  Enter alone takes the default, "y"/"yes"/"是" or "n"/"no"/"否" + Enter
  answer it, and any other text declines it and stays the user's message,
  whole. Export and the track summary are free, so both default to yes;
  whatever spends credits defaults to no (only a typed yes spends).
- A *pending question* walks the agent's ``ask_question`` items one by one;
  the user answers each with letters ("B", "A,C"), numbers, or their own
  words, and the answers become the next message, as the option labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nemochat.core.events import Question, QuestionItem
from nemochat.core.gui import GuiAction
from nemochat.core.lettering import LETTERS, letter_index
_TOKEN_MARKS = ").（）(."  # the brackets and dots around a letter: "A)", "(b)", "c."

_OFFERS = {
    "en": {"export": "Export the video now?", "status": "Show the timeline now?"},
    "zh": {"export": "现在导出视频吗?", "status": "现在查看时间线吗?"},
}


@dataclass(frozen=True)
class Offer:
    kind: str  # the action: "export", "status"
    question: str
    default_yes: bool = True

    @property
    def prompt(self) -> str:
        return f"{self.question} {'[Y/n]' if self.default_yes else '[y/N]'} "

    def decide(self, typed: str) -> bool | None:
        """The answer a line gives: True, False, or None (not an answer: the
        user's own words, which decline the offer and are kept)."""
        word = typed.strip().strip(".!。！").strip().lower()
        if not word:
            return self.default_yes
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        return None


YES_WORDS = frozenset({"y", "yes", "是", "是的", "好"})
NO_WORDS = frozenset({"n", "no", "否", "不", "不要"})


def offers_for(actions: list[GuiAction] | tuple[GuiAction, ...], lang: str) -> list[Offer]:
    """At most one offer after a turn: export when the agent pointed at it
    (the end of the work), else the track summary. Edits need the user's words."""
    table = _OFFERS["zh" if lang.startswith("zh") else "en"]
    kinds = {a.kind for a in actions}
    for kind in ("export", "status"):
        if kind in kinds:
            return [Offer(kind, table[kind])]
    return []


class PickError(ValueError):
    """Letters that do not fit the question; the message says why (``said``: in a language)."""

    def __init__(self, message: str, key: str, letters: str) -> None:
        super().__init__(message)
        self.key, self.letters = key, letters

    def said(self, lang: str) -> str:
        from nemochat.core.texts import say

        return say(lang, self.key, letters=self.letters)


_SPLIT = re.compile(r"[\s,;，、;/]+")


def parse_pick(text: str, item: QuestionItem) -> list[int] | None:
    """Indexes of the chosen options, or None when ``text`` is not a pick at all
    (then it is the user's own answer). Raises PickError for a pick that does
    not fit (a letter past the options, two letters for a single choice)."""
    tokens = [t for t in _SPLIT.split(text.strip()) if t]
    if not tokens or len(tokens) > len(LETTERS):
        return None
    picks: list[int] = []
    for token in tokens:
        token = token.strip(_TOKEN_MARKS)
        if (lettered := letter_index(token)) is not None:
            index = lettered
        elif token.isdigit():
            index = int(token) - 1
        else:
            return None
        if not 0 <= index < len(item.options):
            raise PickError(f"Pick {_range(item)}.", "pick.one_of", _range(item))
        if index not in picks:
            picks.append(index)
    if len(picks) > 1 and not item.allow_multiple:
        raise PickError(f"Pick just one: {_range(item)}.", "pick.just_one", _range(item))
    return picks


def _range(item: QuestionItem) -> str:
    n = len(item.options)
    return "A" if n == 1 else f"A-{LETTERS[n - 1]}"


@dataclass
class PendingQuestion:
    question: Question
    answers: list[str] = field(default_factory=list)
    lang: str = "en"

    @property
    def item(self) -> QuestionItem:
        return self.question.items[len(self.answers)]

    @property
    def done(self) -> bool:
        return len(self.answers) >= len(self.question.items)

    def prompt(self) -> str:
        item = self.item
        step = f"{len(self.answers) + 1}/{len(self.question.items)} " if len(self.question.items) > 1 else ""
        if self.lang.startswith("zh"):
            if not item.options:
                return f"{step}你的回答 › "
            many = "可多选,用逗号分隔" if item.allow_multiple else "选一个"
            return f"{step}{many}({_range(item)}),或直接输入你的回答 › "
        if not item.options:
            return f"{step}Your answer › "
        many = "one or more, comma-separated" if item.allow_multiple else "one"
        return f"{step}Pick {many} ({_range(item)}), or type your own › "

    def answer(self, text: str) -> str:
        """Record the answer to the current item; returns it as words
        ("Cinematic", "Music, Title"). Raises PickError to ask again."""
        item = self.item
        picks = parse_pick(text, item) if item.options else None
        words = ", ".join(item.options[i].label for i in picks) if picks else text.strip()
        if not words:
            raise PickError(f"Pick {_range(item)}, or type your answer.", "pick.or_type", _range(item))
        self.answers.append(words)
        return words

    def message(self) -> str:
        """The next message to the agent: the picked labels (with each
        question's prompt when there were several)."""
        items = self.question.items
        if len(items) == 1:
            return self.answers[0]
        lines = []
        for item, words in zip(items, self.answers, strict=False):
            lines.append(f"{item.prompt} {words}" if item.prompt else words)
        return "\n".join(lines)
