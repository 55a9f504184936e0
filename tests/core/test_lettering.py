"""The agent's choices are lettered in one place: what the views print is what the REPL reads back."""

from nemochat.core.lettering import letter_index, lettered


def test_options_get_letters_in_order_and_a_letter_reads_back_as_its_option():
    options = ["Cinematic", "Playful", "Moody"]
    assert lettered(options) == [("A", "Cinematic"), ("B", "Playful"), ("C", "Moody")]
    assert [letter_index(letter.lower()) for letter, _ in lettered(options)] == [0, 1, 2]


def test_only_one_letter_is_a_letter():
    assert letter_index("ab") is None and letter_index("") is None and letter_index("1") is None
    assert len(lettered(range(30))) == 26  # past Z an option has no letter
