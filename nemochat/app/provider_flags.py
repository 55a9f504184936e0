"""The provider commands' grammar: the flags of `nemochat sora|veo|gateway
submit|status` and of the chat's /sora, /veo, /gateway (the same, less what
only means something on the command line), and a submit's request checked
against every rule before anything is sent or spent (cli-contract.md).

The command line (commands/providers.py) and the REPL (repl/providers.py)
both read them from here; the run is app/provider_run.py.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

AddFlags = Callable[[argparse.ArgumentParser], None]


def _common(p: argparse.ArgumentParser, *, submit: bool, in_chat: bool = False, more: AddFlags | None = None) -> None:
    """The flags every action takes; ``in_chat``: only those that mean
    something inside the chat (no --json-only, no global options; --follow is
    implied there, so not listed). ``more``: the command line's global options."""
    p.add_argument("--follow", action="store_true",
                   help=argparse.SUPPRESS if in_chat else "keep polling until the video is ready, then download it")
    p.add_argument("--max-wait", type=float, metavar="S", help="stop following after S seconds (the job goes on)")
    if not in_chat:
        p.add_argument("--json-only", action="store_true", help='raw {"stage": ..., "response": ...} JSON lines, like NanoPhoto\'s script')
    p.add_argument("-o", "--output-dir", metavar="DIR", help="where the video goes (default: the current folder)")
    p.add_argument("--no-download", action="store_true", help="show the video URL only")
    if submit:
        p.add_argument("--upload-local", action="store_true", help="upload local images to your NemoVideo session and use their public URLs")
    if more is not None and not in_chat:
        more(p)


def _nanophoto_key(p: argparse.ArgumentParser) -> None:
    p.add_argument("--api-key", metavar="KEY", help="NanoPhoto API key (else NANOPHOTO_API_KEY, else ~/.openclaw/openclaw.json)")


class RuleChecked(tuple):
    """A flag's values, for --help and completion; a value outside them is not
    refused by argparse but by its rule in core/video_rules, with the rule's
    one-line error and code (also as a --json error line) before any request."""

    def __contains__(self, value: object) -> bool:
        return True


def _prompt_submit(p: argparse.ArgumentParser, help: str, choices: dict[str, tuple[Any, str]]) -> tuple[Any, argparse.ArgumentParser]:
    """The actions of a prompt-to-video provider (Sora 2, the gateway) and its
    submit: --prompt, the provider's own choices (flag -> (values, help), in
    order), then the repeatable --image-url. Returns (the actions, the submit parser)."""
    sub = p.add_subparsers(dest="provider_action", metavar="ACTION", required=True)
    s = sub.add_parser("submit", help=help, description=help + ". Its cost is shown, and asked about, before anything is spent.")
    s.add_argument("--prompt", metavar="TEXT", help="what the video shows (required)")
    for flag, (values, text) in choices.items():
        s.add_argument(flag, choices=RuleChecked(str(v) for v in values), help=text)
    s.add_argument("--image-url", metavar="URL", action="append", default=[],
                   help="a public image URL (repeatable); a local file needs --upload-local")
    return sub, s


def sora_args(p: argparse.ArgumentParser, *, in_chat: bool = False, more: AddFlags | None = None) -> None:
    from nemochat.core import video_values as rules

    sub, s = _prompt_submit(p, "submit a Sora 2 video", {
        "--mode": (rules.SORA_MODES, "textToVideo (default), or imageToVideo with --image-url"),
        "--model-tier": (rules.SORA_TIERS, "sora2 (default), sora2-pro-standard or sora2-pro-high"),
        "--aspect-ratio": (rules.SORA_ASPECTS, "portrait (default) or landscape"),
        "--video-duration": (rules.SORA_DURATIONS, "seconds: 10 (default) or 15"),
    })
    s.add_argument("--initial-status-delay", type=float, metavar="S", help="wait before the first check (default 120)")
    s.add_argument("--status-check-interval", type=float, metavar="S", help="between checks (default 20)")
    _nanophoto_key(s)
    _common(s, submit=True, in_chat=in_chat, more=more)
    st = sub.add_parser("status", help="check (or --follow) a Sora 2 task")
    st.add_argument("--task-id", metavar="ID", help="default: the newest open Sora job of the ledger")
    st.add_argument("--status-check-interval", type=float, metavar="S", help="between checks with --follow (default 20)")
    _nanophoto_key(st)
    _common(st, submit=False, in_chat=in_chat, more=more)


def veo_args(p: argparse.ArgumentParser, *, in_chat: bool = False, more: AddFlags | None = None) -> None:
    from nemochat.core import video_values as rules

    sub = p.add_subparsers(dest="provider_action", metavar="ACTION", required=True)
    s = sub.add_parser("submit", help="submit Veo 3.1 shots",
                       description="submit Veo 3.1 shots (8 s each). Its cost is shown, and asked about, before anything is spent.")
    s.add_argument("--prompt", metavar="TEXT", help="one 8 s shot from this prompt (for several shots: --shots-json)")
    s.add_argument("--aspect-ratio", choices=RuleChecked(rules.VEO_ASPECTS), help="of the --prompt shot: 16:9 (default) or 9:16")
    kinds = ", ".join(f"{kind} ({low}-{high} images)" if high else kind for kind, (low, high) in rules.VEO_IMAGE_COUNTS.items())
    s.add_argument("--shots-json", metavar="JSON", help='the shots: [{"id", "prompt", "generationType", "aspectRatio", "imageUrls"?}, ...]; '
                   f"generationType {kinds}; aspectRatio {' or '.join(rules.VEO_ASPECTS)}")
    s.add_argument("--resolution", choices=RuleChecked(rules.VEO_RESOLUTIONS), help="720p (default); 1080p or 4k for a single shot")
    _nanophoto_key(s)
    _common(s, submit=True, in_chat=in_chat, more=more)
    st = sub.add_parser("status", help="check (or --follow) Veo 3.1 shots")
    st.add_argument("--task-ids-json", metavar="JSON", help='[{"shotId", "taskId"}, ...] (default: the newest open Veo job)')
    st.add_argument("--resolution", choices=RuleChecked(rules.VEO_RESOLUTIONS), help="the resolution of the submit")
    _nanophoto_key(st)
    _common(st, submit=False, in_chat=in_chat, more=more)


def gateway_args(p: argparse.ArgumentParser, *, in_chat: bool = False, more: AddFlags | None = None) -> None:
    from nemochat.core import video_values as rules

    sub, s = _prompt_submit(p, "submit to an OpenAI-style video gateway (SORA_GATEWAY_URL)", {
        "--model": (rules.GATEWAY_MODELS, "sora-2 (default) or sora-2-pro"),
        "--orientation": (rules.SORA_ASPECTS, "portrait (default) or landscape"),
        "--size": (rules.GATEWAY_SIZES, "small or large (sora-2-pro: large only)"),
        "--duration": (rules.GATEWAY_DURATIONS, "seconds: 10 (default) or 15"),
    })
    s.add_argument("--via", choices=("create", "chat"), default="create", help="/v1/video/create (default) or the streamed chat path")
    s.add_argument("--query-path", metavar="PATH", help="the status path (default /v1/video/query)")
    _common(s, submit=True, in_chat=in_chat, more=more)
    st = sub.add_parser("status", help="check (or --follow) a gateway task")
    st.add_argument("--id", dest="task_id", metavar="ID", help="the task id (default: the newest open gateway job)")
    st.add_argument("--query-path", metavar="PATH", help="the status path (default /v1/video/query)")
    _common(st, submit=False, in_chat=in_chat, more=more)


COMMAND_NAMES = {"sora2": "sora", "veo3.1": "veo", "gateway": "gateway"}


class _ChatParser(argparse.ArgumentParser):
    """argparse for a command typed in the chat: an error is one line (a
    UsageError), never usage text written to stderr and an exit."""

    def error(self, message: str) -> Any:
        from nemochat.errors import UsageError

        command = self.prog.split()[0]
        raise UsageError(f"{self.prog}: {message} ({command} submit --help lists the flags)",
                         key="usage.flags", prog=self.prog, problem=message, command=command)


def chat_parser(kind: str, lang: str = "en") -> argparse.ArgumentParser:
    """The parser of ``/sora``, ``/veo`` or ``/gateway`` in the chat (``kind``:
    "sora2", "veo3.1" or "gateway"): the command's own flags, less those
    that only mean something on the command line; its help in ``lang``."""
    from nemochat.core.help_texts import speak

    parser = _ChatParser(prog=f"/{COMMAND_NAMES[kind]}", add_help=False)
    {"sora2": sora_args, "veo3.1": veo_args, "gateway": gateway_args}[kind](parser, in_chat=True)
    speak(parser, lang)
    return parser


def chat_actions(kind: str, lang: str = "en") -> dict[str, argparse.ArgumentParser]:
    """``{"submit": parser, "status": parser}`` of a chat command."""
    sub = next(a for a in chat_parser(kind, lang)._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def chat_help(kind: str, action: str | None, lang: str = "en") -> str:
    """The help of ``/sora submit --help`` (or of the command) in the chat, in ``lang``."""
    actions = chat_actions(kind, lang)
    parser = actions.get(action or "") or chat_parser(kind, lang)
    lines = parser.format_help().replace("[-h] ", "").rstrip().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("-h, --help"))


def parse_chat_command(kind: str, argv: list[str]) -> argparse.Namespace:
    """The flags of ``/sora``, ``/veo`` or ``/gateway`` typed in the chat,
    parsed as the command's own; a bad use is a one-line UsageError."""
    return chat_parser(kind).parse_args(argv)


# -- submit: the request, checked before anything is sent ---------------------------------------

PENDING = "https://upload.pending.invalid/"  # stands for a local file until it is uploaded


def checked_request(kind: str, args: argparse.Namespace) -> tuple[Any, list[str]]:
    """The submit's request with every rule checked (raises the rule's
    one-line UsageError; nothing is sent or started here), and the local
    images that --upload-local will upload first (their URLs stand in the
    request as placeholders until then)."""
    from nemochat.core import video_rules as rules

    local: list[str] = []

    def images(values: list[str]) -> list[str]:
        if not args.upload_local:
            return values  # the rules refuse local paths, naming --upload-local
        out = []
        for value in values:
            if rules.is_public_url(value):
                out.append(value)
            else:
                local.append(value)
                out.append(f"{PENDING}{len(local) - 1}")
        return out

    request: rules.SoraRequest | rules.VeoRequest | rules.GatewayRequest
    if kind == "sora2":
        request = rules.sora_request(args.prompt, mode=args.mode, model_tier=args.model_tier, aspect_ratio=args.aspect_ratio,
                                     video_duration=args.video_duration, image_urls=images(args.image_url))
    elif kind == "veo3.1":
        if args.prompt is not None and args.shots_json:
            raise rules.broken("SHOTS_REQUIRED", "Veo rule: --prompt makes one shot; --shots-json gives them all: one or the other",
                               key="rule.veo.prompt_or_shots")
        if args.aspect_ratio is not None and args.prompt is None:
            raise rules.broken("SHOTS_REQUIRED", "Veo rule: --aspect-ratio is for the --prompt shot (in --shots-json each shot has its aspectRatio)",
                               key="rule.veo.aspect_needs_prompt")
        shots = ([{"prompt": args.prompt, "aspectRatio": args.aspect_ratio or "16:9"}] if args.prompt is not None else
                 json_arg(args.shots_json, "--shots-json", "SHOTS_REQUIRED", "rule.veo.shots_json"))
        if isinstance(shots, list):
            shots = [{**s, "imageUrls": images(s["imageUrls"])} if isinstance(s, dict) and isinstance(s.get("imageUrls"), list) else s for s in shots]
        request = rules.veo_request(shots, args.resolution)
    else:
        request = rules.gateway_request(args.prompt, model=args.model, orientation=args.orientation, size=args.size,
                                        duration=args.duration, images=images(args.image_url))
        if args.via == "chat" and request.images:
            raise rules.broken("GATEWAY_CHAT_NO_IMAGES", "Gateway rule: the chat path (--via chat) takes no images", key="rule.gateway.chat_images")
    if local:
        from nemochat.app.upload import plan_upload

        plan_upload(local)  # every file exists and is an image we may upload: still before any request
    return request, local


def json_arg(raw: str | None, flag: str, rule: str, key: str) -> Any:
    """``raw`` as JSON; else the rule ``key`` (a catalogue line) is broken."""
    from nemochat.core.texts import Said
    from nemochat.core.video_rules import broken

    try:
        return json.loads(raw) if raw else None
    except ValueError as exc:
        problem = Said.of(key)
        raise broken(rule, f"{problem} ({flag} is not valid JSON: {exc})", key="rule.bad_json", problem=problem, flag=flag, reason=exc) from None


def price_of(request: Any, lang: str = "en") -> str:
    """What a submit costs, in words, for the cost question."""
    from nemochat.core.texts import say
    from nemochat.core.video_rules import cost_of

    cost = cost_of(request)
    return say(lang, "provider.price", cost=cost) if cost is not None else say(lang, "provider.price_gateway")


def task_pairs(raw: str) -> list[dict[str, str]]:
    from nemochat.core.video_rules import broken

    pairs = json_arg(raw, "--task-ids-json", "TASK_IDS_REQUIRED", "rule.veo.task_id_pairs")
    if not isinstance(pairs, list) or not pairs or not all(isinstance(p, dict) and p.get("taskId") for p in pairs):
        raise broken("TASK_IDS_REQUIRED", 'Veo rule: --task-ids-json must be a non-empty list like [{"shotId": "shot-1", "taskId": "task_..."}]',
                     key="rule.veo.task_ids")
    return [{"shotId": str(p.get("shotId") or f"shot-{n}"), "taskId": str(p["taskId"])} for n, p in enumerate(pairs, 1)]
