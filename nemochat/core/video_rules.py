"""The rules of NanoPhoto's Sora 2 and Veo 3.1 APIs and of OpenAI-style video
gateways (protocol.md sections 2-4), checked before any request is sent.

Pure: no I/O, no clock. Every broken rule raises ``UsageError`` (exit 2)
whose ``code`` names the rule and whose message says it in words. Also here:
what a request costs. (The Sora parameters found in the user's own words
are read in ``video_words.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nemochat.core.video_values import (  # noqa: F401  (the values, apart: --help and completion list them without this module's regexes)
    GATEWAY_DURATIONS,
    GATEWAY_MODELS,
    GATEWAY_SIZES,
    SORA_ASPECTS,
    SORA_DURATIONS,
    SORA_MODES,
    SORA_TIERS,
    VEO_ASPECTS,
    VEO_IMAGE_COUNTS,
    VEO_RESOLUTIONS,
)
from nemochat.errors import UsageError

# -- Sora 2 (NanoPhoto) ---------------------------------------------------------------

SORA_COSTS = {  # credits: (tier, seconds) -> cost; failed runs are refunded
    ("sora2", "10"): 4,
    ("sora2", "15"): 8,
    ("sora2-pro-standard", "10"): 60,
    ("sora2-pro-standard", "15"): 100,
    ("sora2-pro-high", "10"): 120,
    ("sora2-pro-high", "15"): 240,
}

# -- Veo 3.1 (NanoPhoto) --------------------------------------------------------------

VEO_SHOT_SECONDS = 8
VEO_MAX_SHOTS = 21
VEO_MAX_SECONDS = 168
VEO_COST_PER_SHOT = {"720p": 10, "1080p": 14, "4k": 30}

# -- OpenAI-style gateways ----------------------------------------------------------------

GATEWAY_FIELDS = ("images", "model", "orientation", "prompt", "size", "duration")


def broken(rule: str, message: str, action: str = "", *, key: str, **values: object) -> UsageError:
    """The error for one broken rule: ``code`` is the rule's name; ``key`` its
    message in the catalogue (``error.rule.…``, core/cli_texts.py)."""
    return UsageError(message, code=rule, action=action, key=key, **values)


# -- image URLs -------------------------------------------------------------------------

_PUBLIC_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def is_public_url(value: str) -> bool:
    return bool(_PUBLIC_URL.match(value.strip()))


def check_image_urls(urls: Iterable[str], who: str) -> tuple[str, ...]:
    """The APIs take public http(s) URLs only: no local paths, no base64."""
    out = []
    for url in urls:
        if not isinstance(url, str) or not is_public_url(url):
            shown = url if isinstance(url, str) and len(url) <= 80 else f"{str(url)[:60]}…"
            raise broken(
                "IMAGE_URLS_REQUIRED",
                f"{who} rule: images must be public http(s) URLs, and {shown!r} is not one",
                "For a local image, pass --upload-local to upload it to your NemoVideo session first "
                "(it then gets a public URL); base64 images are not accepted.",
                key="rule.image_urls", who=who, url=repr(shown),
            )
        out.append(url.strip())
    return tuple(out)


# -- Sora -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoraRequest:
    prompt: str
    mode: str = "textToVideo"
    model_tier: str = "sora2"
    aspect_ratio: str = "portrait"
    video_duration: str = "10"
    image_urls: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The body of ``POST /api/sora-2/generate``."""
        body: dict[str, Any] = {
            "prompt": self.prompt,
            "mode": self.mode,
            "modelTier": self.model_tier,
            "aspectRatio": self.aspect_ratio,
            "videoDuration": self.video_duration,
        }
        if self.image_urls:
            body["imageUrls"] = list(self.image_urls)
        return body


def sora_request(
    prompt: str | None,
    *,
    mode: str | None = None,
    model_tier: str | None = None,
    aspect_ratio: str | None = None,
    video_duration: str | int | None = None,
    image_urls: Iterable[str] = (),
) -> SoraRequest:
    """A checked Sora request; defaults as NanoPhoto's (sora2, portrait, 10 s).
    Without a mode, images mean imageToVideo."""
    images = tuple(image_urls)
    request = SoraRequest(
        prompt=(prompt or "").strip(),
        mode=mode or ("imageToVideo" if images else "textToVideo"),
        model_tier=model_tier or "sora2",
        aspect_ratio=aspect_ratio or "portrait",
        video_duration=str(video_duration) if video_duration is not None else "10",
        image_urls=images,
    )
    return validate_sora(request)


_PROMPT_EXAMPLE = 'Add one, for example: --prompt "a rainy Tokyo street at night" (--help lists the flags)'


def validate_sora(r: SoraRequest) -> SoraRequest:
    if not r.prompt.strip():
        raise broken("PROMPT_REQUIRED", "Sora rule: a prompt is required (--prompt)", _PROMPT_EXAMPLE, key="rule.sora.prompt")
    if r.mode not in SORA_MODES:
        raise broken("SORA_MODE", f"Sora rule: --mode must be textToVideo or imageToVideo, not {r.mode!r}", key="rule.sora.mode", value=repr(r.mode))
    if r.model_tier not in SORA_TIERS:
        raise broken("SORA_MODEL_TIER", f"Sora rule: --model-tier must be one of {', '.join(SORA_TIERS)}, not {r.model_tier!r}",
                     key="rule.sora.tier", tiers=", ".join(SORA_TIERS), value=repr(r.model_tier))
    if r.aspect_ratio not in SORA_ASPECTS:
        raise broken("SORA_ASPECT_RATIO", f"Sora rule: --aspect-ratio must be portrait or landscape, not {r.aspect_ratio!r}",
                     key="rule.sora.aspect", value=repr(r.aspect_ratio))
    if r.video_duration not in SORA_DURATIONS:
        raise broken("SORA_DURATION", f"Sora rule: --video-duration must be 10 or 15 seconds, not {r.video_duration!r}",
                     key="rule.sora.duration", value=repr(r.video_duration))
    if r.mode == "imageToVideo" and not r.image_urls:
        raise broken("IMAGE_REQUIRED", "Sora rule: imageToVideo needs at least one public image URL (--image-url)", key="rule.sora.image_required")
    if r.mode == "textToVideo" and r.image_urls:
        raise broken("SORA_TEXT_NO_IMAGES", "Sora rule: textToVideo takes no images (use --mode imageToVideo)", key="rule.sora.text_no_images")
    check_image_urls(r.image_urls, "Sora")
    return r


# -- Veo --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VeoShot:
    id: str
    prompt: str
    generation_type: str = "TEXT_2_VIDEO"
    aspect_ratio: str = "16:9"
    image_urls: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "prompt": self.prompt, "generationType": self.generation_type, "aspectRatio": self.aspect_ratio}
        if self.image_urls:
            body["imageUrls"] = list(self.image_urls)
        return body


@dataclass(frozen=True)
class VeoRequest:
    shots: tuple[VeoShot, ...]
    resolution: str = "720p"

    def payload(self) -> dict[str, Any]:
        """The body of ``POST /api/veo-3/generate``."""
        return {"shots": [s.payload() for s in self.shots], "resolution": self.resolution}


def veo_request(shots: Any, resolution: str | None = None) -> VeoRequest:
    """A checked Veo request from the ``--shots-json`` list (NanoPhoto's field
    names). A shot without an id gets ``shot-N``, without an aspect ratio 16:9,
    without a generation type TEXT_2_VIDEO."""
    if not isinstance(shots, list) or not shots:
        raise broken("SHOTS_REQUIRED", "Veo rule: a job needs a non-empty list of shots (--shots-json '[{...}]')", key="rule.veo.no_shots")
    parsed = []
    for n, raw in enumerate(shots, start=1):
        if not isinstance(raw, Mapping):
            raise broken("SHOTS_REQUIRED", f"Veo rule: shot {n} must be an object with id, prompt, generationType, aspectRatio", key="rule.veo.shot_object", n=n)
        images = raw.get("imageUrls") or ()
        if isinstance(images, str) or not isinstance(images, (list, tuple)):
            raise broken("IMAGE_URLS_REQUIRED", f"Veo rule: imageUrls of shot {n} must be a list of public URLs", key="rule.veo.image_list", n=n)
        _check_shot_length(raw, n)
        parsed.append(
            VeoShot(
                id=str(raw.get("id") or f"shot-{n}"),
                prompt=str(raw.get("prompt") or "").strip(),
                generation_type=str(raw.get("generationType") or "TEXT_2_VIDEO"),
                aspect_ratio=str(raw.get("aspectRatio") or "16:9"),
                image_urls=tuple(images),
            )
        )
    return validate_veo(VeoRequest(tuple(parsed), resolution or "720p"))


def _check_shot_length(raw: Mapping[str, Any], n: int) -> None:
    """Every Veo shot is 8 s and the API takes no length: a shot asking for
    another one would be silently made 8 s long (and billed as such)."""
    for key in ("duration", "durationSeconds", "videoDuration", "seconds"):
        value = raw.get(key)
        if value is not None and _as_int(value) != VEO_SHOT_SECONDS:  # 8, "8", "8s" and 8.0 are all right
            raise broken("VEO_SHOT_DURATION", f"Veo rule: every shot is {VEO_SHOT_SECONDS} s (shot {str(raw.get('id') or n)!r} "
                         f"asks for {key}={value!r}); for a longer video use more shots, at most {VEO_MAX_SHOTS}",
                         key="rule.veo.shot_duration", seconds=VEO_SHOT_SECONDS, shot=repr(str(raw.get("id") or n)), field=key,
                         value=repr(value), most=VEO_MAX_SHOTS)


def validate_veo(r: VeoRequest) -> VeoRequest:
    count = len(r.shots)
    if count == 0:
        raise broken("SHOTS_REQUIRED", "Veo rule: a job needs at least one shot", key="rule.veo.at_least_one")
    if count > VEO_MAX_SHOTS or count * VEO_SHOT_SECONDS > VEO_MAX_SECONDS:
        raise broken(
            "VEO_TOO_MANY_SHOTS",
            f"Veo rule: at most {VEO_MAX_SHOTS} shots of {VEO_SHOT_SECONDS} s, {VEO_MAX_SECONDS} s in all; "
            f"this job has {count} shots ({count * VEO_SHOT_SECONDS} s)",
            key="rule.veo.too_many", most=VEO_MAX_SHOTS, seconds=VEO_SHOT_SECONDS, total=VEO_MAX_SECONDS, count=count,
            length=count * VEO_SHOT_SECONDS,
        )
    if r.resolution not in VEO_RESOLUTIONS:
        raise broken("VEO_RESOLUTION", f"Veo rule: --resolution must be 720p, 1080p or 4k, not {r.resolution!r}", key="rule.veo.resolution",
                     value=repr(r.resolution))
    if r.resolution != "720p" and count > 1:
        raise broken("VEO_RESOLUTION_SINGLE_SHOT", f"Veo rule: {r.resolution} is only for a single shot; this job has {count} (use 720p)",
                     key="rule.veo.resolution_single", resolution=r.resolution, count=count)
    seen: set[str] = set()
    for shot in r.shots:
        _check_shot(shot)
        if shot.id in seen:
            raise broken("VEO_SHOT_IDS", f"Veo rule: shot ids must be unique ({shot.id!r} appears twice)", key="rule.veo.shot_ids", id=repr(shot.id))
        seen.add(shot.id)
    return r


def _check_shot(shot: VeoShot) -> None:
    name = f"shot {shot.id!r}"
    if not shot.prompt:
        raise broken("PROMPT_REQUIRED", f"Veo rule: every shot needs a prompt ({name} has none)", key="rule.veo.prompt", id=repr(shot.id))
    if shot.generation_type not in VEO_IMAGE_COUNTS:
        raise broken(
            "VEO_GENERATION_TYPE",
            f"Veo rule: generationType must be one of {', '.join(VEO_IMAGE_COUNTS)} ({name} has {shot.generation_type!r})",
            key="rule.veo.generation_type", types=", ".join(VEO_IMAGE_COUNTS), id=repr(shot.id), value=repr(shot.generation_type),
        )
    if shot.aspect_ratio not in VEO_ASPECTS:
        raise broken("VEO_ASPECT_RATIO", f"Veo rule: aspectRatio must be one of {', '.join(VEO_ASPECTS)} ({name} has {shot.aspect_ratio!r})",
                     key="rule.veo.aspect", aspects=", ".join(VEO_ASPECTS), id=repr(shot.id), value=repr(shot.aspect_ratio))
    low, high = VEO_IMAGE_COUNTS[shot.generation_type]
    n = len(shot.image_urls)
    if not low <= n <= high:
        wanted = "no images" if high == 0 else f"{low}-{high} public image URLs"
        raise broken("INVALID_IMAGE_COUNT", f"Veo rule: {shot.generation_type} takes {wanted} ({name} has {n})",
                     key="rule.veo.no_images" if high == 0 else "rule.veo.image_count", type=shot.generation_type, low=low, high=high,
                     id=repr(shot.id), n=n)
    check_image_urls(shot.image_urls, "Veo")


# -- gateway ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayRequest:
    prompt: str
    model: str = "sora-2"
    orientation: str = "portrait"
    size: str = "small"
    duration: int = 10
    images: tuple[str, ...] = field(default=())

    def payload(self) -> dict[str, Any]:
        """The body of ``POST {base}/v1/video/create``: every field, always."""
        return {
            "images": list(self.images),
            "model": self.model,
            "orientation": self.orientation,
            "prompt": self.prompt,
            "size": self.size,
            "duration": self.duration,
        }


def gateway_request(
    prompt: str | None,
    *,
    model: str | None = None,
    orientation: str | None = None,
    size: str | None = None,
    duration: int | str | None = None,
    images: Iterable[str] = (),
) -> GatewayRequest:
    """A checked gateway request; sora-2-pro defaults to ``large`` (its only size)."""
    model = model or "sora-2"
    body = {
        "images": list(images),
        "model": model,
        "orientation": orientation or "portrait",
        "prompt": (prompt or "").strip(),
        "size": size or ("large" if model == "sora-2-pro" else "small"),
        "duration": _as_int(duration) if duration is not None else 10,
    }
    return validate_gateway(body)


def validate_gateway(body: Mapping[str, Any]) -> GatewayRequest:
    missing = [f for f in GATEWAY_FIELDS if f not in body or body[f] is None]
    if missing:
        raise broken("GATEWAY_FIELDS", f"Gateway rule: every field is required ({', '.join(GATEWAY_FIELDS)}); missing: {', '.join(missing)}",
                     key="rule.gateway.fields", fields=", ".join(GATEWAY_FIELDS), missing=", ".join(missing))
    if not isinstance(body["prompt"], str) or not body["prompt"].strip():
        raise broken("PROMPT_REQUIRED", "Gateway rule: a prompt is required (--prompt)", _PROMPT_EXAMPLE, key="rule.gateway.prompt")
    if body["model"] not in GATEWAY_MODELS:
        raise broken("GATEWAY_MODEL", f"Gateway rule: --model must be sora-2 or sora-2-pro, not {body['model']!r}", key="rule.gateway.model",
                     value=repr(body["model"]))
    if body["size"] not in GATEWAY_SIZES:
        raise broken("GATEWAY_SIZE", f"Gateway rule: --size must be small or large, not {body['size']!r}", key="rule.gateway.size", value=repr(body["size"]))
    if body["model"] == "sora-2-pro" and body["size"] != "large":
        raise broken("GATEWAY_PRO_SIZE", "Gateway rule: sora-2-pro takes only --size large", key="rule.gateway.pro_size")
    if body["orientation"] not in SORA_ASPECTS:
        raise broken("GATEWAY_ORIENTATION", f"Gateway rule: --orientation must be portrait or landscape, not {body['orientation']!r}",
                     key="rule.gateway.orientation", value=repr(body["orientation"]))
    duration = _as_int(body["duration"])
    if duration not in GATEWAY_DURATIONS:
        raise broken("GATEWAY_DURATION", f"Gateway rule: --duration must be 10 or 15 seconds, not {body['duration']!r}",
                     key="rule.gateway.duration", value=repr(body["duration"]))
    if not isinstance(body["images"], (list, tuple)):
        raise broken("GATEWAY_IMAGES", "Gateway rule: images must be a list ([] for text-to-video)", key="rule.gateway.images")
    images = check_image_urls(body["images"], "Gateway")
    return GatewayRequest(body["prompt"].strip(), body["model"], body["orientation"], body["size"], duration, images)


def _as_int(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    try:
        return int(str(value).strip().removesuffix("s"))
    except ValueError:
        return value


# -- costs ------------------------------------------------------------------------------


def cost_of(request: SoraRequest | VeoRequest | GatewayRequest) -> int | None:
    """Credits a submit will take (protocol.md tables); None when unknown
    (a gateway bills by its own rules)."""
    if isinstance(request, SoraRequest):
        return SORA_COSTS[(request.model_tier, request.video_duration)]
    if isinstance(request, VeoRequest):
        return VEO_COST_PER_SHOT[request.resolution] * len(request.shots)
    return None


def describe(request: SoraRequest | VeoRequest | GatewayRequest, lang: str = "en") -> str:
    """A one-line summary for the cost question, in ``lang``."""
    from nemochat.core.texts import say

    if isinstance(request, SoraRequest):
        images = say(lang, "describe.images", count=len(request.image_urls)) if request.image_urls else ""
        return say(lang, "describe.sora", tier=request.model_tier, seconds=request.video_duration, aspect=request.aspect_ratio, images=images)
    if isinstance(request, VeoRequest):
        n = len(request.shots)
        return say(lang, "describe.veo" if n == 1 else "describe.veo_shots", count=n, seconds=VEO_SHOT_SECONDS, resolution=request.resolution)
    return say(lang, "describe.gateway", model=request.model, size=request.size, seconds=request.duration, orientation=request.orientation)
