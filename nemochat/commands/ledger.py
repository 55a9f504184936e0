"""The commands that read what nemochat keeps: ``sessions``, ``log``,
``jobs`` and ``config``. None of them talks to a server.

Each prints plain text for people, or with ``--json`` one object per line
ending with ``{"type": "done"}`` (the contract's convention).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nemochat.commands.common import settings_from
from nemochat.core.sanitize import clean_json, clean_line
from nemochat.core.texts import say
from nemochat.errors import UsageError
from nemochat.settings import Paths, Settings
from nemochat.store import Ledger, ledger_path
from nemochat.store import transcript as tr


def sessions(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with _open_ledger(settings) as ledger:
        found = ledger.sessions(limit=args.limit)
    if settings.json:
        return _json_lines(tr.session_json(s) for s in found)
    if not found:
        demo = 0 if settings.demo else _demo_sessions()
        if demo:  # the demo keeps its own: say where they are
            print(say(settings.lang, "sessions.none_but_demo", count=demo))
        else:
            print(say(settings.lang, "sessions.none_start"))
        return 0
    for s in found:
        turns = say(settings.lang, "turns.one" if s.turns == 1 else "turns.many", count=s.turns)
        video = f"  ▶ {clean_line(s.last_video)}" if s.last_video else ""
        print(f"{tr.when(s.last_used)}  {turns:>9}  {tr.title_of(s, settings.lang)}{video}")
        print(f"{'':16}  {'':>9}  {clean_line(s.id)} · {tr.backend_of(s, settings.lang)}")
    return 0


def log(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with _open_ledger(settings) as ledger:
        session = _pick_session(ledger, settings)
        if session is None:
            print(say(settings.lang, "log.none"))
            return 0
        turns = ledger.turns(session.id, last=args.last)
    if settings.json:
        return _json_lines([tr.session_json(session), *(tr.turn_json(t) for t in turns)])
    if args.markdown:
        print(tr.as_markdown(session, turns, thoughts=args.thoughts, lang=settings.lang), end="")
    else:
        print(tr.as_text(session, turns, thoughts=args.thoughts, lang=settings.lang), end="")
    return 0


def jobs(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with _open_ledger(settings) as ledger:
        found = ledger.jobs(kind=args.kind, open_only=args.open, limit=args.limit, session_id=getattr(args, "session", None))
    if settings.json:
        return _json_lines(_job_json(j) for j in found)
    if not found:
        print(say(settings.lang, "jobs.none_yet"))
        return 0
    for job in found:
        task = f"  {clean_line(job.task_id)}" if job.task_id else ""
        status = say(settings.lang, "jobs.status." + job.status, default=clean_line(job.status)) if job.status.isidentifier() else clean_line(job.status)
        print(f"#{job.id:<4} {job.kind:<8} {status}{' ' * max(1, 12 - tr.get_cwidth(status))}{tr.when(job.updated)}{task}")
        for where in (*job.local_files, *job.urls):
            print(f"      {clean_line(where)}")
        if job.error:
            print(f"      ✗ {clean_line(job.error)}")
    return 0


def config(args: argparse.Namespace) -> int:
    from nemochat import config_file as cf

    path = cf.config_path()
    lang = _lang(args)
    if args.action == "path":
        print(path)
        return 0
    if args.action == "show":
        return _show_config(args, path)
    if not args.key:
        raise UsageError(f"config {args.action} needs a KEY", action="See `nemochat config show` for the keys.", key="config.needs_key",
                         action_word=args.action)
    if args.action == "set":
        if args.value is None:
            raise UsageError("config set needs a KEY and a VALUE", action="For example: nemochat config set lang zh", key="config.needs_value")
        value = cf.set_value(path, args.key, args.value)
        print(say(lang, "config.saved", name=args.key, value=_shown(value), path=path))
        return 0
    removed = cf.unset_value(path, args.key)
    print(say(lang, "config.removed" if removed else "config.not_set", name=args.key, path=path))
    return 0


def completion(args: argparse.Namespace) -> int:
    from nemochat.commands.parser import build_parser
    from nemochat.commands.completion import script_for

    print(script_for(args.shell, build_parser(_lang(args))), end="")  # (zsh and fish show each flag's help: in the user's language)
    return 0


# -- helpers ----------------------------------------------------------------------------------


def _lang(args: argparse.Namespace) -> str:
    """The language of `config`'s own lines; a broken config file (which this command fixes) never stops them."""
    try:
        return Settings.load_with_sources(check_urls=False, **_flags(args))[0].lang
    except UsageError:
        import os

        return getattr(args, "lang", None) or os.environ.get("NEMO_LANG") or "en"


def _open_ledger(settings: Settings) -> Ledger:
    paths = Paths.default()
    if settings.demo:
        from nemochat.app.runtime import demo_paths

        paths = demo_paths(paths)
    return Ledger(ledger_path(paths))


def _demo_sessions() -> int:
    """How many sessions the demo's own ledger holds (0 when it was never used; nothing is created)."""
    from nemochat.app.runtime import demo_paths

    path = ledger_path(demo_paths(Paths.default()))
    if not path.exists():
        return 0
    with Ledger(path) as ledger:
        return len(ledger.sessions(limit=None))


def _pick_session(ledger: Ledger, settings: Settings) -> Any:
    """``--session`` (a unique prefix works), else this backend's last, else the newest."""
    if settings.session:
        found = ledger.find_session(settings.session)
        if found is None:
            raise UsageError(f"no session {settings.session!r} in the ledger", action="See `nemochat sessions` for the known ones.",
                             key="ledger.no_session", sid=repr(settings.session))
        return found
    newest = ledger.sessions(limit=1)
    return ledger.last_session(settings.backend) or (newest[0] if newest else None)


def _show_config(args: argparse.Namespace, path: Path) -> int:
    from nemochat import config_file as cf

    flags = _flags(args)
    settings, sources = Settings.load_with_sources(check_urls=False, **flags)
    try:
        Settings.load_with_sources(**flags)
    except UsageError as bad:  # a backend address that stops every other command: show it, and how to fix it
        print(f"nemochat: {bad.say(settings.lang)[0]}", file=sys.stderr)
        print(say(settings.lang, "config.fix_url"), file=sys.stderr)
    keys = [k for k in sources if k not in ("json", "demo", "verbose", "debug")]
    from nemochat.clients.network import shown_proxy

    from nemochat.settings import URL_KEYS, without_userinfo

    def value_of(key: str) -> object:
        value = getattr(settings, key)
        if key in URL_KEYS and key != "proxy" and isinstance(value, str):
            return without_userinfo(value)  # a backend address with credentials: refused, and not shown
        return shown_proxy(value) if key == "proxy" else value

    rows = [(k, _shown(value_of(k), secret=k in cf.SECRET_KEYS), sources[k], k in cf.config_keys()) for k in keys]
    if settings.json:
        return _json_lines({"type": "config", "key": k, "value": v, "source": src, "in_file": ok} for k, v, src, ok in rows)
    lang = settings.lang
    print(say(lang, "config.file", path=path) + ("" if path.exists() else say(lang, "config.not_yet")))
    print(say(lang, "config.change"))
    width = max(len(k) for k in keys)
    for settable in (True, False):
        if not settable:
            print(say(lang, "config.env_only"))
        for key, value, source, in_file in rows:
            if in_file is settable:
                where, _, detail = source.partition(" ")  # "default", "flag --lang", "env NEMO_LANG", "file PATH"
                source = say(lang, "config.source." + where, default=where) + (" " + detail if detail else "")
                print(f"{key:<{width}} = {value:<34} ({source})")
    for key in cf.unknown_keys(path):
        print(say(lang, "config.ignored", name=key))
    return 0


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    from nemochat.commands.common import FLAG_NAMES

    flags = {name: getattr(args, name, None) for name in FLAG_NAMES}
    return {k: v for k, v in flags.items() if v not in (None, False)}


def _shown(value: object, *, secret: bool = False) -> str:
    from nemochat.config_file import mask

    if value is None:
        return "-"
    if secret:
        return mask(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _job_json(job: Any) -> dict[str, Any]:
    return {
        "type": "job",
        "id": job.id,
        "kind": job.kind,
        "session_id": job.session_id,
        "task_ids": job.task_ids,
        "status": job.status,
        "urls": list(job.urls),
        "local_files": list(job.local_files),
        "error": job.error,
        "credits_used": job.credits_used,
        "params": job.params,
        "created": job.created,
        "updated": job.updated,
    }


def _json_lines(objects: Any) -> int:
    for obj in objects:
        print(json.dumps(clean_json(obj), ensure_ascii=False))  # every string from a server, ids and codes too
    print(json.dumps({"type": "done"}))
    return 0
