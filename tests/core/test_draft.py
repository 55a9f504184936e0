"""The draft as a timeline: liberal decoding, the summary the user reads, the diff of a silent turn."""

import json

import pytest

from nemochat.core.draft import Segment, Timeline, Track, decode_draft, diff_timelines, timeline_from_state

# The protocol's example timeline, in the backend's short names.
EXAMPLE_DRAFT = {
    "t": [
        {"tt": 0, "sg": [{"st": 0, "et": 10000, "n": "city timelapse", "u": "https://cdn.example/city.mp4"}]},
        {"tt": 1, "sg": [{"st": 0, "et": 10000, "n": "Lo-fi", "vl": 35}]},
        {"tt": 7, "sg": [{"st": 0, "et": 3000, "tx": "Urban Dreams"}]},
    ],
    "d": 10000,
    "m": {"title": "Urban Dreams", "width": 1920, "height": 1080},
}
EXAMPLE_SUMMARY = "1. Video: city timelapse (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: Urban Dreams (0-3s)"


def only_segment(segment: dict) -> Segment:
    """Decode a draft holding one video track with this one segment."""
    timeline = decode_draft({"t": [{"tt": 0, "sg": [segment]}]})
    assert len(timeline.tracks) == 1 and len(timeline.tracks[0].segments) == 1
    return timeline.tracks[0].segments[0]


def test_the_protocol_example_summary():
    timeline = decode_draft(EXAMPLE_DRAFT)
    assert timeline.summary() == EXAMPLE_SUMMARY
    assert timeline.summary_lines() == [
        "1. Video: city timelapse (0-10s)",
        "2. BGM: Lo-fi (0-10s, 35%)",
        "3. Title: Urban Dreams (0-3s)",
    ]
    assert timeline.title == "Urban Dreams"
    assert timeline.duration_ms == 10000
    assert timeline.exportable


def test_decoded_tracks_keep_kind_code_and_segments():
    video, audio, text = decode_draft(EXAMPLE_DRAFT).tracks
    assert video == Track("video", 0, (Segment(0, 10000, "city timelapse"),))
    assert audio == Track("audio", 1, (Segment(0, 10000, "Lo-fi", volume=0.35),))
    assert text.kind == "text" and text.type_code == 7 and text.duration_ms == 3000


@pytest.mark.parametrize(
    ("segment", "start", "end"),
    [
        ({"s": 0, "e": 5000}, 0, 5000),
        ({"st": 1000, "et": 4000}, 1000, 4000),
        ({"start": 500, "end": 2500}, 500, 2500),
        ({"start_ms": 0, "end_ms": 7000}, 0, 7000),
        ({"from": 2000, "to": 3000}, 2000, 3000),
        ({"start": 1000, "d": 2000}, 1000, 3000),
        ({"start": 1000, "duration": 500}, 1000, 1500),
        ({"duration": 4000}, 0, 4000),
        ({"st": "1000", "et": "2500.4"}, 1000, 2500),  # numbers as strings
        ({"st": 0.0, "et": 9999.6}, 0, 10000),
    ],
)
def test_segment_times_in_every_spelling(segment, start, end):
    decoded = only_segment(segment)
    assert (decoded.start_ms, decoded.end_ms) == (start, end)


@pytest.mark.parametrize(
    ("segment", "label"),
    [
        ({"text": "Hello"}, "Hello"),
        ({"title": "Opening"}, "Opening"),
        ({"name": "intro"}, "intro"),
        ({"n": "city timelapse"}, "city timelapse"),
        ({"label": "B-roll"}, "B-roll"),
        ({"prompt": "a rainy Tokyo street"}, "a rainy Tokyo street"),
        ({"tx": "Urban Dreams", "n": "Title"}, "Urban Dreams"),  # the shown text wins
        ({"text": {"content": "nested"}}, "nested"),
        ({"url": "https://cdn.example/media/My%20Clip.mp4?sig=abc"}, "My Clip.mp4"),
        ({"u": "https://cdn.example/lofi.mp3"}, "lofi.mp3"),
        ({"src": "/local/path/shot.mov"}, "shot.mov"),
        ({"text": "", "n": "fallback"}, "fallback"),
        ({}, "untitled"),
        ({"n": "\x1b]0;pwned\x07Evil\u202etitle\nline"}, "Eviltitle line"),  # server text is sanitized
        ({"prompt": "x" * 100}, "x" * 39 + "…"),
    ],
)
def test_segment_labels_in_every_spelling(segment, label):
    assert only_segment({"st": 0, "et": 1000, **segment}).label == label


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        ({"v": 0.35}, 0.35),
        ({"volume": 0.5}, 0.5),
        ({"vol": 1}, 1.0),
        ({"vl": 35}, 0.35),  # 0-100 is a percentage
        ({"volume": 80}, 0.8),
        ({"volume": 0}, 0.0),
        ({"volume": -1}, None),
        ({"volume": 250}, None),
        ({"volume": "loud"}, None),
        ({}, None),
    ],
)
def test_segment_volume_is_normalized(volume, expected):
    assert only_segment({"st": 0, "et": 1000, **volume}).volume == pytest.approx(expected)


def test_track_volume_applies_to_segments_without_their_own():
    timeline = decode_draft({"t": [{"tt": 1, "volume": 50, "sg": [{"s": 0, "e": 1000}, {"s": 1000, "e": 2000, "v": 0.2}]}]})
    assert [s.volume for s in timeline.tracks[0].segments] == [0.5, 0.2]


@pytest.mark.parametrize(
    ("track", "kind", "code", "line"),
    [
        ({"tt": 0}, "video", 0, "1. Video: clip (0-1s)"),
        ({"tt": "1"}, "audio", 1, "1. BGM: clip (0-1s)"),
        ({"tt": 7}, "text", 7, "1. Title: clip (0-1s)"),
        ({"tt": 5}, "other", 5, "1. Track (type 5): clip (0-1s)"),
        ({"type": "music"}, "audio", None, "1. BGM: clip (0-1s)"),
        ({"type": "subtitle"}, "text", None, "1. Title: clip (0-1s)"),
        ({}, "other", None, "1. Track: clip (0-1s)"),
    ],
)
def test_track_types(track, kind, code, line):
    (decoded,) = decode_draft({"t": [{**track, "sg": [{"s": 0, "e": 1000, "n": "clip"}]}]}).tracks
    assert (decoded.kind, decoded.type_code) == (kind, code)
    assert decoded.summary(1) == line


def test_track_summary_lists_several_segments_then_counts_the_rest():
    segments = [{"s": i * 2500, "e": (i + 1) * 2500, "n": f"shot {i + 1}"} for i in range(5)]
    (track,) = decode_draft({"t": [{"tt": 0, "sg": segments}]}).tracks
    assert track.summary(2) == "2. Video: shot 1 (0-2.5s), shot 2 (2.5-5s), shot 3 (5-7.5s) +2 more"
    assert track.duration_ms == 12500


def test_empty_tracks_are_summarized_but_not_exportable():
    timeline = decode_draft({"t": [{"tt": 0, "sg": []}], "d": 0})
    assert timeline.summary() == "1. Video: empty"
    assert not timeline.exportable


@pytest.mark.parametrize("draft", [None, {}, {"t": []}, {"t": None}, "", "not json", "[1, 2]", 42, [], {"t": "x"}])
def test_empty_or_garbage_drafts_are_an_empty_timeline(draft):
    timeline = decode_draft(draft)
    assert timeline == Timeline((), 0, None)
    assert timeline.summary() == "empty draft"
    assert timeline.summary_lines() == []
    assert not timeline.exportable


def test_bad_tracks_and_segments_are_skipped_not_raised():
    draft = {
        "t": [
            "garbage",
            None,
            {"tt": 0, "sg": [None, 7, {"s": 5000, "e": 1000}, {"s": -5, "e": 10}, {"s": True, "e": 10},
                             {"s": "soon", "e": "later"}, {"n": "no times"}, {"s": float("nan"), "e": 1},
                             {"s": 0, "e": 2000, "n": "good"}]},
            {"tt": 1, "sg": "not a list"},
        ],
        "d": "long",
        "m": "not a mapping",
    }
    timeline = decode_draft(draft)
    assert [len(track.segments) for track in timeline.tracks] == [1, 0]
    assert timeline.tracks[0].segments[0] == Segment(0, 2000, "good")
    assert timeline.duration_ms == 2000  # from the segments when `d` is unusable
    assert timeline.title is None


def test_a_draft_sent_as_json_text_is_decoded():
    assert decode_draft(json.dumps(EXAMPLE_DRAFT)).summary() == EXAMPLE_SUMMARY


def test_long_spellings_of_the_draft_keys():
    draft = {"tracks": [{"type": 0, "segments": [{"start": 0, "end": 4000, "name": "shot"}]}],
             "duration": 4000, "metadata": {"title": "Long names"}}
    timeline = decode_draft(draft)
    assert timeline.summary() == "1. Video: shot (0-4s)"
    assert timeline.title == "Long names"


@pytest.mark.parametrize(
    "payload",
    [
        EXAMPLE_DRAFT,
        {"draft": EXAMPLE_DRAFT},
        {"state": {"draft": EXAMPLE_DRAFT, "video_infos": []}},
        {"data": {"state": {"draft": EXAMPLE_DRAFT}}},
        {"code": 0, "data": {"state": {"draft": EXAMPLE_DRAFT, "canvas_config": {}}}},
        {"data": {"state": {"draft": json.dumps(EXAMPLE_DRAFT)}}},
    ],
)
def test_timeline_from_every_state_shape(payload):
    assert timeline_from_state(payload).summary() == EXAMPLE_SUMMARY


@pytest.mark.parametrize("payload", [None, {}, {"data": None}, {"state": {}}, {"data": {"state": {"draft": None}}}, "x"])
def test_timeline_from_a_state_without_draft_is_empty(payload):
    assert timeline_from_state(payload) == Timeline((), 0, None)


# --- diff ----------------------------------------------------------------------------


def with_tracks(*tracks: dict, title: str = "Urban Dreams") -> Timeline:
    return decode_draft({"t": list(tracks), "m": {"title": title}})


VIDEO = {"tt": 0, "sg": [{"st": 0, "et": 10000, "n": "city timelapse"}]}
BGM = {"tt": 1, "sg": [{"st": 0, "et": 10000, "n": "Lo-fi", "vl": 35}]}
TITLE = {"tt": 7, "sg": [{"st": 0, "et": 3000, "tx": "Urban Dreams"}]}


def test_diff_of_a_silent_add_title_turn():
    assert diff_timelines(with_tracks(VIDEO, BGM), with_tracks(VIDEO, BGM, TITLE)) == (
        "added a text track: 'Urban Dreams' 0-3 s",
    )


def test_diff_of_adding_music_and_removing_a_title():
    assert diff_timelines(with_tracks(VIDEO, TITLE), with_tracks(VIDEO, BGM)) == (
        "added an audio track: 'Lo-fi' 0-10 s at 35%",
        "removed the text track: 'Urban Dreams' 0-3 s",
    )


def test_diff_of_a_longer_video():
    short = {"tt": 0, "sg": [{"st": 0, "et": 5000, "n": "city timelapse"}]}
    assert diff_timelines(with_tracks(short), with_tracks(VIDEO)) == (
        "changed the video track: 0-5 s → 0-10 s",
        "total duration 5 s → 10 s",
    )


def test_diff_of_volume_and_label_changes():
    louder = {"tt": 1, "sg": [{"st": 0, "et": 10000, "n": "Jazz", "vl": 60}]}
    assert diff_timelines(with_tracks(VIDEO, BGM), with_tracks(VIDEO, louder)) == (
        "changed the audio track: 'Lo-fi' → 'Jazz', volume 35% → 60%",
    )


def test_diff_of_a_clip_appended_to_the_video_track():
    two_clips = {"tt": 0, "sg": [*VIDEO["sg"], {"st": 10000, "et": 15000, "n": "sunset"}]}
    assert diff_timelines(with_tracks(VIDEO), with_tracks(two_clips)) == (
        "changed the video track: added 'sunset' 10-15 s",
        "total duration 10 s → 15 s",
    )


def test_diff_from_an_empty_draft_and_of_a_new_title():
    assert diff_timelines(decode_draft(None), with_tracks(VIDEO, title="City")) == (
        "title '' → 'City'",
        "added a video track: 'city timelapse' 0-10 s",
        "total duration 0 s → 10 s",
    )


def test_no_visible_change_is_an_empty_diff():
    timeline = decode_draft(EXAMPLE_DRAFT)
    assert diff_timelines(timeline, decode_draft(json.loads(json.dumps(EXAMPLE_DRAFT)))) == ()
    assert diff_timelines(decode_draft(None), decode_draft("garbage")) == ()


def test_diff_names_tracks_by_number_when_a_kind_repeats():
    other_video = {"tt": 0, "sg": [{"st": 0, "et": 10000, "n": "overlay"}]}
    moved_overlay = {"tt": 0, "sg": [{"st": 2000, "et": 12000, "n": "overlay"}]}
    before = with_tracks(VIDEO, other_video)
    after = with_tracks(VIDEO, moved_overlay)
    assert diff_timelines(before, after) == (
        "changed video track 2: 0-10 s → 2-12 s",
        "total duration 10 s → 12 s",
    )
