"""Running a provider command (`nemochat sora|veo|gateway`, the chat's /sora,
/veo, /gateway): the rules, then the API key, then the cost question, then,
with ``--upload-local``, the local images to the NemoVideo session, then
the job (app.video_jobs); a status check re-attaches to a job. The flags and
the checked request are app/provider_flags.py's.

The cost question is the caller's ``confirm`` (the command's on the
terminal, the REPL's at its prompt); None: nobody can be asked.
"""

from __future__ import annotations

import argparse
from typing import Any

from nemochat.app.provider_flags import PENDING, checked_request, parse_chat_command, price_of, task_pairs


async def run_in_runtime(rt: Any, kind: str, argv: list[str], *, confirm: Any = None) -> int:
    """The same command inside a running program (the REPL's ``/sora submit ...``):
    ``kind`` is "sora2", "veo3.1" or "gateway"; ``confirm`` asks the cost question (None: nobody can be asked)."""
    return await act(rt, parse_chat_command(kind, argv), kind, None, confirm=confirm)


async def act(rt: Any, args: argparse.Namespace, kind: str, on_raw: Any, *, confirm: Any = None) -> int:
    """Rules, then the key, then the cost question, then uploads, then the job."""
    from nemochat.app.provider_session import ProviderSession
    from nemochat.app.video_jobs import poll_policy

    submit = args.provider_action == "submit"
    request, local = checked_request(kind, args) if submit else (None, [])
    policy = poll_policy(kind, rt.settings, initial=getattr(args, "initial_status_delay", None),
                         interval=getattr(args, "status_check_interval", None), max_wait=args.max_wait)
    async with ProviderSession(rt.settings, rt.paths, rt.view.emit, kind, api_key=getattr(args, "api_key", None),
                               on_raw=on_raw, download=not args.no_download, query_path=getattr(args, "query_path", None),
                               ledger=getattr(rt.conversation, "ledger", None)) as ps:
        if not submit or request is None:  # (a submit always has its request)
            await _status(ps, args, kind, policy)
            return 0
        if not await _confirm_cost(rt, request, confirm):
            return 0
        if local:
            request = await _with_uploads(rt, request, local)
        if kind == "gateway" and args.via == "chat":
            await ps.jobs.chat(ps.client, request.prompt, request.model)
        else:
            await ps.jobs.submit(ps.job(request), policy=policy, follow=args.follow)
    return 0


async def _confirm_cost(rt: Any, request: Any, confirm: Any = None) -> bool:
    from nemochat.app.provider_session import ask_to_spend
    from nemochat.core.ui_events import Notice
    from nemochat.core.video_rules import describe
    from nemochat.errors import UsageError

    from nemochat.core.texts import say

    price, what, lang = price_of(request), describe(request), rt.settings.lang  # (English: what the ledger and --json say)
    question = say(lang, "provider.cost", what=describe(request, lang), price=price_of(request, lang))
    ok = await ask_to_spend(question, yes=rt.settings.yes, confirm=confirm)
    if ok is None:
        raise UsageError(f"Submitting {what} spends {price}, and there is no terminal to ask for your OK.",
                         code="confirm_required", action="Pass --yes to confirm the spending. Nothing was sent.",
                         key="provider.no_terminal", what=describe(request, lang), price=price_of(request, lang))
    rt.view.emit(Notice(f"Submitting {what}: {price}.", key="provider.submitting", values=(("what", describe(request, lang)), ("price", price_of(request, lang))))
                 if ok else Notice("Not submitted; nothing was spent.", key="provider.not_submitted"))
    return ok


async def _with_uploads(rt: Any, request: Any, local: list[str]) -> Any:
    """Upload the local images to the NemoVideo session (the user said
    --upload-local) and put their public URLs in the request."""
    from dataclasses import replace
    from pathlib import Path

    from nemochat.app.upload import plan_upload, upload_items

    await rt.conversation.connect()
    planned = [str(p) for p in plan_upload(local).files]
    result = await upload_items(rt.conversation, local)
    by_path = {path: f.cdn_url for path, f in zip(planned, result.files, strict=False)}
    urls = [by_path[str(Path(p).expanduser())] for p in local]

    def real(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(urls[int(v[len(PENDING):])] if v.startswith(PENDING) else v for v in values)

    if hasattr(request, "shots"):
        return replace(request, shots=tuple(replace(s, image_urls=real(s.image_urls)) for s in request.shots))
    if hasattr(request, "images"):
        return replace(request, images=real(request.images))
    return replace(request, image_urls=real(request.image_urls))


# -- status: re-attach ------------------------------------------------------------------------------


async def _status(ps: Any, args: argparse.Namespace, kind: str, policy: Any) -> None:
    from nemochat.core.video_rules import broken
    from nemochat.core.video_values import VEO_RESOLUTIONS

    record = None
    task_ids: Any = getattr(args, "task_id", None)
    if kind == "veo3.1" and args.task_ids_json:
        task_ids = {"shots": task_pairs(args.task_ids_json)}
    if not task_ids:
        record = next((j for j in ps.ledger.jobs(kind=kind, open_only=True, limit=20) if j.task_ids), None)
        if record is None:
            flag = "--task-ids-json" if kind == "veo3.1" else "--id" if kind == "gateway" else "--task-id"
            raise broken("TASK_ID_REQUIRED", f"Which task? Pass {flag} (the ledger has no open {kind} job).", key="rule.which_task", flag=flag, kind=kind)
        task_ids = record.task_ids
    if kind == "veo3.1":
        record = record or ps.ledger.job_by_task(task_ids["shots"][0]["taskId"])
        resolution = args.resolution or (record.params.get("resolution") if record else None) or "720p"
        if resolution not in VEO_RESOLUTIONS:
            raise broken("VEO_RESOLUTION", f"Veo rule: --resolution must be 720p, 1080p or 4k, not {resolution!r}", key="rule.veo.resolution",
                         value=repr(resolution))
        job = ps.job(resolution=resolution)
    else:
        job = ps.job()
    await ps.jobs.attach(job, task_ids, policy=policy, follow=args.follow)
