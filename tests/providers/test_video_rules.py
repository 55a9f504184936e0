"""The pure rules of Sora 2, Veo 3.1 and the gateway; costs; the user's words."""

from __future__ import annotations

import pytest

from nemochat.core import video_rules as r
from nemochat.core import video_words
from nemochat.errors import UsageError

URL = "https://example.com/a.png"


def broken(call, *args, **kwargs) -> UsageError:
    with pytest.raises(UsageError) as info:
        call(*args, **kwargs)
    assert info.value.exit_code == 2
    return info.value


# -- Sora ---------------------------------------------------------------------------------


def test_sora_defaults_are_nanophotos():
    request = r.sora_request("a cat")
    assert request.payload() == {"prompt": "a cat", "mode": "textToVideo", "modelTier": "sora2", "aspectRatio": "portrait", "videoDuration": "10"}


def test_sora_images_mean_image_to_video():
    request = r.sora_request("go", image_urls=[URL])
    assert request.mode == "imageToVideo"
    assert request.payload()["imageUrls"] == [URL]


@pytest.mark.parametrize("tier", r.SORA_TIERS)
@pytest.mark.parametrize("aspect", r.SORA_ASPECTS)
@pytest.mark.parametrize("duration", ["10", "15", 10, 15])
def test_sora_every_valid_combination(tier, aspect, duration):
    request = r.sora_request("x", model_tier=tier, aspect_ratio=aspect, video_duration=duration)
    assert request.video_duration == str(duration)


@pytest.mark.parametrize(
    "kwargs, rule, words",
    [
        ({"prompt": ""}, "PROMPT_REQUIRED", "prompt is required"),
        ({"prompt": "   "}, "PROMPT_REQUIRED", "prompt is required"),
        ({"mode": "videoToVideo"}, "SORA_MODE", "textToVideo or imageToVideo"),
        ({"model_tier": "sora3"}, "SORA_MODEL_TIER", "--model-tier"),
        ({"aspect_ratio": "square"}, "SORA_ASPECT_RATIO", "portrait or landscape"),
        ({"aspect_ratio": "16:9"}, "SORA_ASPECT_RATIO", "portrait or landscape"),
        ({"video_duration": "12"}, "SORA_DURATION", "10 or 15"),
        ({"video_duration": 5}, "SORA_DURATION", "10 or 15"),
        ({"mode": "imageToVideo"}, "IMAGE_REQUIRED", "at least one public image URL"),
        ({"mode": "textToVideo", "image_urls": [URL]}, "SORA_TEXT_NO_IMAGES", "textToVideo takes no images"),
        ({"image_urls": ["./cat.png"]}, "IMAGE_URLS_REQUIRED", "public http(s) URLs"),
        ({"image_urls": ["/home/me/cat.png"]}, "IMAGE_URLS_REQUIRED", "public http(s) URLs"),
        ({"image_urls": ["data:image/png;base64,AAAA"]}, "IMAGE_URLS_REQUIRED", "public http(s) URLs"),
        ({"image_urls": ["ftp://x.org/a.png"]}, "IMAGE_URLS_REQUIRED", "public http(s) URLs"),
    ],
)
def test_sora_rules(kwargs, rule, words):
    kwargs = {"prompt": "a cat", **kwargs}
    error = broken(r.sora_request, kwargs.pop("prompt"), **kwargs)
    assert error.code == rule
    assert words in error.message
    assert "rule" in error.message


def test_local_image_error_says_how_to_upload():
    error = broken(r.sora_request, "x", image_urls=["cat.png"])
    assert "--upload-local" in error.action


# -- Veo ----------------------------------------------------------------------------------


def shot(n=1, **kw):
    return {"id": f"shot-{n}", "prompt": f"shot {n}", "generationType": "TEXT_2_VIDEO", "aspectRatio": "16:9", **kw}


def test_veo_payload_is_nanophotos():
    request = r.veo_request([shot(1), shot(2, aspectRatio="9:16")])
    assert request.payload() == {"shots": [shot(1), shot(2, aspectRatio="9:16")], "resolution": "720p"}


def test_veo_defaults_fill_id_type_and_aspect():
    request = r.veo_request([{"prompt": "a"}, {"prompt": "b"}])
    assert [s.id for s in request.shots] == ["shot-1", "shot-2"]
    assert {s.generation_type for s in request.shots} == {"TEXT_2_VIDEO"}
    assert {s.aspect_ratio for s in request.shots} == {"16:9"}


def test_veo_21_shots_of_8_seconds_is_the_most():
    assert len(r.veo_request([shot(n) for n in range(1, 22)]).shots) == 21
    error = broken(r.veo_request, [shot(n) for n in range(1, 23)])
    assert error.code == "VEO_TOO_MANY_SHOTS"
    assert "21 shots" in error.message and "168 s" in error.message and "176 s" in error.message


@pytest.mark.parametrize("resolution", ["1080p", "4k"])
def test_veo_high_resolutions_only_for_one_shot(resolution):
    assert r.veo_request([shot()], resolution).resolution == resolution
    error = broken(r.veo_request, [shot(1), shot(2)], resolution)
    assert error.code == "VEO_RESOLUTION_SINGLE_SHOT"
    assert "only for a single shot" in error.message


@pytest.mark.parametrize(
    "gen_type, counts_ok, counts_bad",
    [
        ("TEXT_2_VIDEO", [0], [1, 2]),
        ("FIRST_AND_LAST_FRAMES_2_VIDEO", [1, 2], [0, 3]),
        ("REFERENCE_2_VIDEO", [1, 2, 3], [0, 4]),
    ],
)
def test_veo_image_counts_per_generation_type(gen_type, counts_ok, counts_bad):
    for n in counts_ok:
        r.veo_request([shot(generationType=gen_type, imageUrls=[URL] * n)])
    for n in counts_bad:
        error = broken(r.veo_request, [shot(generationType=gen_type, imageUrls=[URL] * n)])
        assert error.code == "INVALID_IMAGE_COUNT"
        assert gen_type in error.message and f"has {n}" in error.message


@pytest.mark.parametrize(
    "shots, resolution, rule",
    [
        ([], None, "SHOTS_REQUIRED"),
        (None, None, "SHOTS_REQUIRED"),
        ({"id": "x"}, None, "SHOTS_REQUIRED"),
        (["a string"], None, "SHOTS_REQUIRED"),
        ([shot(prompt="")], None, "PROMPT_REQUIRED"),
        ([shot(generationType="IMAGE_2_VIDEO")], None, "VEO_GENERATION_TYPE"),
        ([shot(aspectRatio="4:3")], None, "VEO_ASPECT_RATIO"),
        ([shot()], "8k", "VEO_RESOLUTION"),
        ([shot(1), shot(1)], None, "VEO_SHOT_IDS"),
        ([shot(generationType="REFERENCE_2_VIDEO", imageUrls=["./local.png"])], None, "IMAGE_URLS_REQUIRED"),
        ([shot(imageUrls="https://a.b/c.png")], None, "IMAGE_URLS_REQUIRED"),
        ([shot(duration=5)], None, "VEO_SHOT_DURATION"),
        ([shot(duration="10s")], None, "VEO_SHOT_DURATION"),
        ([shot(durationSeconds=4)], None, "VEO_SHOT_DURATION"),
        ([shot(videoDuration=8.5)], None, "VEO_SHOT_DURATION"),
        ([shot(seconds="")], None, "VEO_SHOT_DURATION"),
    ],
)
def test_veo_rules(shots, resolution, rule):
    error = broken(r.veo_request, shots, resolution)
    assert error.code == rule
    assert error.message.startswith("Veo rule")


@pytest.mark.parametrize("length", [8, "8", "8s", 8.0, None])
def test_veo_shots_of_8_s_are_fine_and_send_no_length(length):
    request = r.veo_request([shot(duration=length)])
    assert "duration" not in request.payload()["shots"][0]  # the API takes none: every shot is 8 s


# -- gateway ------------------------------------------------------------------------------


def test_gateway_payload_has_every_field():
    request = r.gateway_request("a cat")
    assert request.payload() == {"images": [], "model": "sora-2", "orientation": "portrait", "prompt": "a cat", "size": "small", "duration": 10}


def test_gateway_pro_defaults_to_large():
    assert r.gateway_request("x", model="sora-2-pro").size == "large"


@pytest.mark.parametrize(
    "body, rule",
    [
        ({"model": "sora-2", "orientation": "portrait", "prompt": "x", "size": "small", "duration": 10}, "GATEWAY_FIELDS"),
        ({"images": [], "model": "sora-2", "orientation": "portrait", "prompt": "x", "size": "small"}, "GATEWAY_FIELDS"),
        ({"images": [], "model": "sora-2", "orientation": "portrait", "prompt": "x", "size": None, "duration": 10}, "GATEWAY_FIELDS"),
        ({"images": [], "model": "sora-2", "orientation": "portrait", "prompt": " ", "size": "small", "duration": 10}, "PROMPT_REQUIRED"),
        ({"images": [], "model": "sora-3", "orientation": "portrait", "prompt": "x", "size": "small", "duration": 10}, "GATEWAY_MODEL"),
        ({"images": [], "model": "sora-2", "orientation": "portrait", "prompt": "x", "size": "huge", "duration": 10}, "GATEWAY_SIZE"),
        ({"images": [], "model": "sora-2-pro", "orientation": "portrait", "prompt": "x", "size": "small", "duration": 10}, "GATEWAY_PRO_SIZE"),
        ({"images": [], "model": "sora-2", "orientation": "square", "prompt": "x", "size": "small", "duration": 10}, "GATEWAY_ORIENTATION"),
        ({"images": [], "model": "sora-2", "orientation": "portrait", "prompt": "x", "size": "small", "duration": 12}, "GATEWAY_DURATION"),
        ({"images": "a.png", "model": "sora-2", "orientation": "portrait", "prompt": "x", "size": "small", "duration": 10}, "GATEWAY_IMAGES"),
        ({"images": ["a.png"], "model": "sora-2", "orientation": "portrait", "prompt": "x", "size": "small", "duration": 10}, "IMAGE_URLS_REQUIRED"),
    ],
)
def test_gateway_rules(body, rule):
    error = broken(r.validate_gateway, body)
    assert error.code == rule
    assert error.message.startswith("Gateway rule")


def test_gateway_pro_size_rule_names_it():
    error = broken(r.gateway_request, "x", model="sora-2-pro", size="small")
    assert "sora-2-pro takes only --size large" in error.message


def test_gateway_duration_accepts_text():
    assert r.gateway_request("x", duration="15").duration == 15
    assert r.gateway_request("x", duration="15s").duration == 15


# -- costs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tier, seconds, credits",
    [("sora2", "10", 4), ("sora2", "15", 8), ("sora2-pro-standard", "10", 60), ("sora2-pro-standard", "15", 100),
     ("sora2-pro-high", "10", 120), ("sora2-pro-high", "15", 240)],
)
def test_sora_costs(tier, seconds, credits):
    assert r.cost_of(r.sora_request("x", model_tier=tier, video_duration=seconds)) == credits


@pytest.mark.parametrize("resolution, per_shot", [("720p", 10), ("1080p", 14), ("4k", 30)])
def test_veo_costs_per_8s_shot(resolution, per_shot):
    assert r.cost_of(r.veo_request([shot()], resolution)) == per_shot
    if resolution == "720p":
        assert r.cost_of(r.veo_request([shot(n) for n in range(1, 4)])) == 30


def test_gateway_cost_is_unknown():
    assert r.cost_of(r.gateway_request("x")) is None


def test_describe_names_the_parameters():
    assert r.describe(r.sora_request("x", video_duration=15, aspect_ratio="landscape")) == "Sora 2 (sora2, 15 s, landscape)"
    assert "2 shots of 8 s, 720p" in r.describe(r.veo_request([shot(1), shot(2)]))


# -- the user's own words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, tier, aspect, seconds",
    [
        ("make a 10s rainy Tokyo clip in portrait", "sora2", "portrait", "10"),
        ("make a rainy Tokyo clip", "sora2", "portrait", "10"),
        ("a 15s clip of waves", "sora2", "portrait", "15"),
        ("15 seconds of waves, landscape", "sora2", "landscape", "15"),
        ("a vertical video of a cat", "sora2", "portrait", "10"),
        ("a horizontal video of a cat", "sora2", "landscape", "10"),
        ("做一个15秒的竖屏视频,东京下雨", "sora2", "portrait", "15"),
        ("做一个横屏视频,东京下雨", "sora2", "landscape", "10"),
        ("a 1080p video of a cat", "sora2-pro-high", "portrait", "10"),
        ("a pro video of a cat, 15s", "sora2-pro-standard", "portrait", "15"),
        ("pro 1080p landscape video", "sora2-pro-high", "landscape", "10"),
        ("a 12s clip", "sora2", "portrait", "10"),
        ("a 20 sec clip", "sora2", "portrait", "15"),
        ("vertical, not landscape: a video", "sora2", "portrait", "10"),
        ("a product video for my app", "sora2", "portrait", "10"),  # "product" is not "pro"
    ],
)
def test_sora_from_words(text, tier, aspect, seconds):
    request = video_words.sora_from_words(text)
    assert (request.model_tier, request.aspect_ratio, request.video_duration) == (tier, aspect, seconds)
    assert request.prompt == text
    assert request.mode == "textToVideo"


def test_words_with_an_image_url_make_image_to_video():
    request = video_words.sora_from_words(f"animate this: {URL}.")
    assert request.mode == "imageToVideo" and request.image_urls == (URL,)


@pytest.mark.parametrize("text", ["make a 10s rainy Tokyo clip", "generate a video of a cat", "做一个视频", "animate my logo"])
def test_wants_video(text):
    assert video_words.wants_video(text)


@pytest.mark.parametrize("text", ["add lo-fi music", "make the title bigger", "hello"])
def test_does_not_want_video(text):
    assert not video_words.wants_video(text)


def test_a_missing_prompt_says_how_to_give_one():
    with pytest.raises(UsageError) as caught:
        r.sora_request("")
    assert '--prompt "a rainy Tokyo street at night"' in caught.value.action
