"""Catalogue lines kept as JSON (the ledger's changes) come back as the same
lines, in either language; whatever a damaged row holds comes back as text."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from nemochat.core.draft import diff_timelines, timeline_from_state
from nemochat.core.said_json import said_from_json, said_to_json
from nemochat.core.texts import said_in

BEFORE = {"draft": {"t": [{"id": "t1", "tt": 7, "n": "Title", "sg": [{"id": "s", "st": 0, "et": 3000, "n": "Old", "tx": "Old"}]}],
                    "d": 3000, "m": {"title": "x"}}}
AFTER = {"draft": {"t": [{"id": "t1", "tt": 7, "n": "Title", "sg": [{"id": "s", "st": 0, "et": 3000, "n": "New", "tx": "New"}]},
                         {"id": "t2", "tt": 1, "n": "BGM", "sg": [{"id": "m", "st": 0, "et": 3000, "n": "Lo-fi", "vl": 35}]}],
                   "d": 3000, "m": {"title": "x"}}}


def test_a_diffs_lines_survive_the_round_trip_in_both_languages():
    lines = diff_timelines(timeline_from_state(BEFORE), timeline_from_state(AFTER))
    assert len(lines) == 2
    back = [said_from_json(v) for v in json.loads(json.dumps([said_to_json(line) for line in lines]))]
    assert back == list(lines)  # the English, as stored
    assert [said_in("zh", b) for b in back] == [said_in("zh", line) for line in lines]
    assert all(said_in("zh", b) != str(b) for b in back)


def test_a_key_the_catalogue_no_longer_has_is_said_in_the_stored_english():
    assert said_from_json({"said": "change.gone_since", "en": "did a thing", "values": {}}) == "did a thing"


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(json_values)
def test_whatever_a_damaged_row_holds_comes_back_as_text(value):
    back = said_from_json(value)
    flat = [back]
    while flat:
        item = flat.pop()
        if isinstance(item, tuple):
            flat.extend(item)
        else:
            assert isinstance(item, str)


@given(st.sampled_from(["change.title", "change.span", "change.empty"]),
       st.dictionaries(st.sampled_from(["old", "new", "start", "end", "said"]), st.text(), max_size=4))
def test_a_stored_line_with_wrong_values_is_text_not_a_crash(key, values):
    assert isinstance(said_from_json({"said": key, "en": "stored", "values": values}), str)
