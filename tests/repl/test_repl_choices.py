"""Offers (one key) and the agent's questions (letters) — pure logic."""

from __future__ import annotations

import pytest

from nemochat.core.events import Question, QuestionItem, QuestionOption
from nemochat.core.gui import GuiAction
from nemochat.repl.choices import Offer, PendingQuestion, PickError, offers_for, parse_pick


def item(labels, multiple=False, prompt="Which?"):
    return QuestionItem("q", prompt, tuple(QuestionOption(str(i), label) for i, label in enumerate(labels)), multiple)


STYLE = item(["Cinematic", "Anime", "Documentary"], prompt="Which visual style?")
EXTRAS = item(["Music", "Title", "Subtitles"], multiple=True, prompt="Anything to add?")


def test_export_is_offered_first_and_alone():
    actions = [GuiAction("status", "/status", "preview"), GuiAction("export", "/export", "click Export")]
    (offer,) = offers_for(actions, "en")
    assert offer.kind == "export" and offer.prompt.endswith("[Y/n] ")
    assert offers_for([GuiAction("status", "/status", "x")], "zh")[0].question.startswith("现在")
    assert offers_for([GuiAction("edit", "", "drag")], "en") == []


def test_typed_answers():
    offer = Offer("export", "Export now?")
    assert offer.decide("y") is True and offer.decide("N") is False
    assert offer.decide(" Yes ") is True and offer.decide("是") is True and offer.decide("否") is False
    assert offer.decide("") is True
    assert offer.decide("yellow tint please") is None and offer.decide("yo") is None and offer.decide("x") is None
    assert Offer("quit", "Quit?", default_yes=False).decide("") is False


@pytest.mark.parametrize(
    "text, expected",
    [("B", [1]), ("b", [1]), ("2", [1]), (" c ", [2]), ("B)", [1])],
)
def test_single_picks(text, expected):
    assert parse_pick(text, STYLE) == expected


def test_several_picks_only_where_allowed():
    assert parse_pick("A, C", EXTRAS) == [0, 2]
    assert parse_pick("a c", EXTRAS) == [0, 2]
    assert parse_pick("A,A", EXTRAS) == [0]
    with pytest.raises(PickError, match="just one"):
        parse_pick("A,B", STYLE)


def test_a_letter_past_the_options_asks_again():
    with pytest.raises(PickError, match="A-C"):
        parse_pick("D", STYLE)


def test_words_are_an_answer_of_their_own():
    assert parse_pick("something moody", STYLE) is None
    assert parse_pick("", STYLE) is None


def test_one_question_sends_the_label():
    pending = PendingQuestion(Question("Pick a style", (STYLE,)))
    assert "A-C" in pending.prompt()
    assert pending.answer("b") == "Anime"
    assert pending.done and pending.message() == "Anime"


def test_several_questions_are_asked_one_by_one():
    pending = PendingQuestion(Question("Pick", (STYLE, EXTRAS)))
    assert pending.prompt().startswith("1/2")
    with pytest.raises(PickError):
        pending.answer("A,B")
    pending.answer("A")
    assert not pending.done and pending.prompt().startswith("2/2") and "comma" in pending.prompt()
    pending.answer("a, b")
    assert pending.done
    assert pending.message() == "Which visual style? Cinematic\nAnything to add? Music, Title"


def test_own_words_and_empty_answers():
    pending = PendingQuestion(Question("Pick", (STYLE,)))
    with pytest.raises(PickError):
        pending.answer("   ")
    assert pending.answer("noir, black and white") == "noir, black and white"
