"""The values each provider flag accepts (the rules that check them are in
``video_rules``). Apart, so building the command line's parser (every
command's start) lists them for --help and completion without compiling
video_rules' regexes."""

SORA_MODES = ("textToVideo", "imageToVideo")
SORA_TIERS = ("sora2", "sora2-pro-standard", "sora2-pro-high")
SORA_ASPECTS = ("portrait", "landscape")
SORA_DURATIONS = ("10", "15")

VEO_RESOLUTIONS = ("720p", "1080p", "4k")
VEO_ASPECTS = ("16:9", "9:16")
VEO_IMAGE_COUNTS = {  # generationType -> (min, max) public image URLs
    "TEXT_2_VIDEO": (0, 0),
    "FIRST_AND_LAST_FRAMES_2_VIDEO": (1, 2),
    "REFERENCE_2_VIDEO": (1, 3),
}

GATEWAY_MODELS = ("sora-2", "sora-2-pro")
GATEWAY_SIZES = ("small", "large")
GATEWAY_DURATIONS = (10, 15)
