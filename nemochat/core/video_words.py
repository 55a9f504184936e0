"""What a chat message says about the video it wants, for the conversation's
fallback when NemoVideo can't generate: whether it asks for a new video at
all (``wants_video``), and the Sora parameters it names ("10s", "vertical",
"竖屏", "1080p", "pro"), as a request the rules have checked (``sora_from_words``).

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re

from nemochat.core.video_rules import SoraRequest, sora_request

_SECONDS = re.compile(r"(\d{1,3})\s*(?:s\b|sec\b|secs\b|seconds?\b|秒)", re.IGNORECASE)
_PORTRAIT = re.compile(r"\b(vertical|portrait|9:16|tiktok|reels?|shorts)\b|竖屏|竖版", re.IGNORECASE)
_LANDSCAPE = re.compile(r"\b(landscape|horizontal|widescreen|16:9)\b|横屏|横版", re.IGNORECASE)
_HIGH = re.compile(r"\b(1080p|full\s*hd|fhd)\b|高清", re.IGNORECASE)
_PRO = re.compile(r"\bpro\b|专业版", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_VIDEO_WORDS = re.compile(
    r"\b(video|clip|film|movie|animation|animate|footage|scene|shot|reel)s?\b|视频|短片|片段|动画|生成|做一个|拍",
    re.IGNORECASE,
)


def wants_video(text: str) -> bool:
    """Whether a message asks for a new video (the only thing a fallback can do)."""
    return bool(_VIDEO_WORDS.search(text))


def sora_from_words(text: str) -> SoraRequest:
    """Sora parameters from what the user wrote: "15s" → 15 s (other lengths
    go to the nearer of 10 and 15), vertical/portrait/竖屏 → portrait,
    landscape/horizontal/横屏 → landscape, "1080p" → sora2-pro-high, "pro" →
    sora2-pro-standard; image URLs in the text make it image-to-video. The
    prompt is the user's text as written."""
    duration = "10"
    if m := _SECONDS.search(text):
        duration = "15" if int(m.group(1)) > 12 else "10"
    aspect = "portrait"
    portrait, landscape = _PORTRAIT.search(text), _LANDSCAPE.search(text)
    if landscape and (not portrait or landscape.start() < portrait.start()):
        aspect = "landscape"  # both named: the first one wins
    tier = "sora2"
    if _HIGH.search(text):
        tier = "sora2-pro-high"
    elif _PRO.search(text):
        tier = "sora2-pro-standard"
    images = tuple(u.rstrip(".,;") for u in _URL.findall(text))
    return sora_request(text, model_tier=tier, aspect_ratio=aspect, video_duration=duration, image_urls=images)
