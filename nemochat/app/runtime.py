"""Everything one nemochat process needs, built once: settings, paths, the one
HTTP client, the NemoVideo client, the view, the conversation, and with
``--demo`` the embedded simulator.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, Protocol

import httpx

from nemochat.app.conversation import NO_HOOKS, Conversation, ConversationHooks
from nemochat.clients.http import build_client, redact, tls_context
from nemochat.clients.nemo import NemoClient
from nemochat.core import texts
from nemochat.core.ui_events import Notice, UIEvent, notice_of
from nemochat.errors import NemochatError
from nemochat.settings import Paths, Settings
from nemochat.store import Ledger, LedgerRecorder, TeeView, ledger_path
from nemochat.store.ledger import open_or_scratch


class DemoBackend(Protocol):
    """The embedded simulator behind ``--demo`` (nemochat/sim/demo.py), as the app sees it."""

    @property
    def base_url(self) -> str: ...
    @property
    def found(self) -> bool: ...  # it had a saved world (else old tokens mean nothing to it)

    def fill_empty(self, session_id: str) -> bool: ...
    def stop(self) -> None: ...


class View(Protocol):
    def emit(self, event: UIEvent) -> None: ...
    def error(self, error: NemochatError) -> None: ...
    def done(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    paths: Paths
    http: httpx.AsyncClient
    nemo: NemoClient
    view: View
    conversation: Conversation
    sim: DemoBackend | None = None  # the embedded simulator with --demo
    ledger: Ledger | None = None  # sessions, turns and jobs (nemochat.store)

    def notify(self, message: str) -> None:
        self.view.emit(notice_of(message, "recovery"))


def make_view(settings: Settings) -> View:
    """The view of a one-shot command: only the answer and the data asked for
    go to stdout, everything about getting it to stderr (cli-contract.md,
    "Where output goes"), so a script can redirect the result alone."""
    if settings.json:
        from nemochat.ui.json_view import JsonView

        return JsonView(sys.stdout)

    from nemochat.ui.consoles import one_shot_consoles
    from nemochat.ui.markdown_render import preload_markdown_soon
    from nemochat.ui.rich_view import RichView

    preload_markdown_soon()  # while the token, the session and the state are fetched
    answer, chrome = one_shot_consoles(no_color=settings.no_color or None)
    return RichView(answer, chrome=chrome, show_thoughts=settings.show_thoughts, lang=settings.lang)


def demo_paths(paths: Paths) -> Paths:
    """The demo keeps its token and sessions apart from the real backend's."""
    return replace(paths, config=paths.config / "demo", state=paths.state / "demo", data=paths.data / "demo")


def demo_world_file(paths: Paths) -> Path:
    """Where the demo's simulator keeps its world (``paths`` already the demo's)."""
    return paths.state / "world.json"


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    view: View | None = None,
    paths: Paths | None = None,
    start_demo: Callable[[Path], DemoBackend] | None = None,
    hooks: ConversationHooks = NO_HOOKS,
) -> AsyncIterator[Runtime]:
    """``start_demo`` (the commands pass ``nemochat.sim.demo.start_demo``) starts ``--demo``'s simulator;
    ``hooks``: what the front end decides for the conversation (the REPL's export and cost question)."""
    paths = paths or Paths.default()
    log_paths = paths  # the log stays in the real state folder with --demo too
    sim = None
    if settings.demo:
        if start_demo is None:
            raise NemochatError("--demo needs the simulator, and none was given to this runtime", key="demo.no_simulator")
        paths = demo_paths(paths)
        # uvicorn's start-up off the event loop; the world is the one the last demo run left
        sim = await asyncio.to_thread(start_demo, demo_world_file(paths))
        settings = replace(
            settings,
            api_base=sim.base_url,
            token=None,
            nanophoto_api_base=sim.base_url,
            gateway_url=settings.gateway_url or sim.base_url,
        )
        if not sim.found:
            (paths.config / "token.json").unlink(missing_ok=True)  # a fresh simulator knows no old token
    log = _start_debug_log(settings, log_paths, view)
    shown = view or make_view(settings)
    ledger = open_or_scratch(ledger_path(paths), lambda m: shown.emit(notice_of(m, "warning")))
    history = LedgerRecorder(ledger, settings.backend, settings.lang, on_failure=lambda m: shown.emit(notice_of(m, "warning")))
    listeners: list[Any] = [history]
    if log is not None:
        from nemochat.debug_log import Listener

        listeners.append(Listener())
    recorder = None
    if settings.record:
        from nemochat.clients.recording import StreamRecorder

        recorder = StreamRecorder(Path(settings.record).expanduser())
        listeners.append(recorder)
    view = TeeView(shown, *listeners)  # the ledger (and --record) get every event before the user sees it
    await asyncio.to_thread(tls_context, settings.ca_bundle)  # the CA bundle loads while the loop goes on (the REPL's prompt)
    http = build_client(settings)
    if settings.debug:
        _log_requests(http, settings)
    shown_view = view
    nemo = NemoClient(http, settings, paths, notify=lambda m: shown_view.emit(notice_of(m, "recovery")), recorder=recorder)  # = Runtime.notify
    if sim is not None:  # every export of the demo (`export`, `ask export`, the GUI's button) gets the sample clip
        hooks = replace(hooks, fill_empty=demo_sample(sim, lambda note: shown_view.emit(Notice(note, kind="info")), settings.lang))
    conversation = Conversation(nemo, settings, paths, view.emit, ledger=ledger, hooks=hooks)
    runtime = Runtime(settings, paths, http, nemo, view, conversation, sim, ledger)
    try:
        yield runtime
    finally:
        history.flush()  # the last streamed text, if the turn was cut short
        await http.aclose()
        ledger.close()
        if sim is not None:
            sim.stop()


DEMO_SAMPLE_NOTE = texts.say("en", "demo.sample")


def demo_sample(demo: DemoBackend, say: Callable[[str], None], lang: str = "en") -> Callable[[str], Awaitable[bool]]:
    """For ``export_video(fill_empty=...)`` with ``--demo``: a fresh simulator's
    project is empty, so a newcomer's first export would only be refused; this
    puts the simulator's sample clip on an empty timeline instead (and says
    so), to show the whole flow. Only the embedded simulator is touched."""

    async def fill(session_id: str) -> bool:
        added = demo.fill_empty(session_id)
        if added:
            say(texts.say(lang, "demo.sample"))
        return added

    return fill


def _start_debug_log(settings: Settings, paths: Paths, view: View | None) -> Path | None:
    """The debug log (``--debug`` or ``log_file``); ``--debug`` says where it is,
    on stderr (or, in the REPL, which passes its own view, as a notice)."""
    if not (settings.debug or settings.log_file):
        return None
    from nemochat.debug_log import start

    path = start(settings, paths)
    if path is not None and settings.debug:
        if view is not None and not settings.json:
            view.emit(Notice(f"Debug log: {path}", kind="info", key="debug.log", values=(("path", str(path)),)))
        else:
            print(texts.say(settings.lang, "debug.log", path=path), file=sys.stderr)
    return path


def _log_requests(http: httpx.AsyncClient, settings: Settings) -> None:
    async def log(request: httpx.Request) -> None:
        print(redact(f"→ {request.method} {request.url}", settings.token), file=sys.stderr)

    http.event_hooks["request"].append(log)
