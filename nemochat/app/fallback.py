"""The fallback: when NemoVideo cannot generate (no credits, 2001; or
unreachable after the safe retries), offer Sora 2 via NanoPhoto, or the
configured video gateway, with parameters from the user's own words.

It asks once, with the cost: "NemoVideo can't generate now (no credits).
Generate with Sora 2 via NanoPhoto for 4 credits instead? [y/N]". ``--yes``
accepts; ``--no-fallback`` never offers; with nobody to ask (no terminal) it
spends nothing and says how to go ahead. The confirm function is injectable
(the REPL passes its own prompt).
"""

from __future__ import annotations

import shlex
from typing import Any

from nemochat.app.provider_session import Confirm, ProviderSession, ask_to_spend, gateway_configured
from nemochat.app.video_jobs import Emit, JobOutcome, poll_policy
from nemochat.clients.nanophoto import SORA_SKILL, resolve_api_key
from nemochat.core.texts import say
from nemochat.core.ui_events import Notice
from nemochat.core.video_rules import GatewayRequest, SoraRequest, cost_of, gateway_request
from nemochat.core.video_words import sora_from_words, wants_video
from nemochat.errors import (
    AuthError,
    BackendError,
    CreditsError,
    NemochatError,
    NetworkError,
    RateLimited,
    SessionNotFound,
    StreamDropped,
    TokenRejected,
    UsageError,
)
from nemochat.settings import Settings

_NOT_OUTAGES = (StreamDropped, SessionNotFound, TokenRejected)  # handled elsewhere, or not "can't generate"


def why_fallback(error: NemochatError) -> str | None:
    """Why NemoVideo can't generate, if ``error`` is a reason to fall back."""
    if isinstance(error, CreditsError):
        return "no credits" if error.code == "2001" else None
    if isinstance(error, BackendError) and not isinstance(error, _NOT_OUTAGES):
        return "it is unreachable" if isinstance(error, NetworkError) else "it is busy" if isinstance(error, RateLimited) else "it is failing"
    return None


class Fallback:
    def __init__(self, settings: Settings, paths: Any, emit: Emit, *, confirm: Confirm | None = None, ledger: Any = None) -> None:
        self.settings, self.paths, self.emit = settings, paths, emit
        self.confirm = confirm  # None: ask on the terminal when there is one
        self.ledger = ledger

    def route(self) -> str | None:
        """"sora2" with a NanoPhoto key, else "gateway" when one is configured;
        the ``fallback_provider`` setting can pin the gateway or turn it off."""
        if self.settings.fallback_provider == "none":
            return None
        if self.settings.fallback_provider == "gateway":
            return "gateway" if gateway_configured(self.settings) else None
        try:
            resolve_api_key(SORA_SKILL, flag=None, settings_key=self.settings.nanophoto_api_key, demo=self.settings.demo)
            return "sora2"
        except AuthError:
            return "gateway" if gateway_configured(self.settings) else None

    async def offer(self, text: str, error: NemochatError, *, session_id: str | None = None) -> JobOutcome | None:
        """Generate ``text`` elsewhere if the user agrees; None when nothing was done."""
        why = why_fallback(error)
        kind = self.route() if why and not self.settings.no_fallback else None
        if kind is None or why is None or not wants_video(text):
            return None
        try:
            request = self.request_for(kind, text)
        except UsageError:
            return None  # the words make no valid request (e.g. a local image path): nothing to offer
        lang = self.settings.lang
        question = say(lang, "fallback.ask", why=say(lang, "fallback.why." + why), what=self._what(request, lang))
        answer = await ask_to_spend(question, yes=self.settings.yes or not self.settings.fallback_ask, confirm=self.confirm)
        if answer is None:
            command = self._how(kind, request)
            self.emit(Notice(f"NemoVideo can't generate now ({why}). {self._what(request)[0].upper()}{self._what(request)[1:]} is possible, "
                             f"but not without your OK: run again with --yes, or: {command}", kind="warning", key="fallback.needs_yes",
                             values=(("why", say(lang, "fallback.why." + why)), ("what", self._what(request, lang)), ("command", command))))
            return None
        if not answer:
            self.emit(Notice("OK: nothing generated, no credits spent.", key="fallback.declined"))
            return None
        self.emit(Notice(f"Generating with {self._what(request)}.", kind="info", key="fallback.generating",
                         values=(("what", self._what(request, lang)),)))
        async with ProviderSession(self.settings, self.paths, self.emit, kind, ledger=self.ledger) as ps:
            return await ps.jobs.submit(ps.job(request), policy=poll_policy(kind, self.settings), follow=True, session_id=session_id)

    @staticmethod
    def request_for(kind: str, text: str) -> SoraRequest | GatewayRequest:
        sora = sora_from_words(text)
        if kind == "sora2":
            return sora
        pro = sora.model_tier != "sora2"
        return gateway_request(text, model="sora-2-pro" if pro else "sora-2", orientation=sora.aspect_ratio,
                               size="large" if pro else "small", duration=sora.video_duration, images=sora.image_urls)

    @staticmethod
    def _what(request: SoraRequest | GatewayRequest, lang: str = "en") -> str:
        if isinstance(request, SoraRequest):
            tier = "" if request.model_tier == "sora2" else f" ({request.model_tier})"
            return say(lang, "fallback.sora", tier=tier, cost=cost_of(request))
        return say(lang, "fallback.gateway", model=request.model, duration=request.duration, orientation=request.orientation)

    def _how(self, kind: str, request: SoraRequest | GatewayRequest) -> str:
        if isinstance(request, SoraRequest):
            command = (f"nemochat sora submit --prompt {shlex.quote(request.prompt)} --model-tier {request.model_tier} "
                       f"--aspect-ratio {request.aspect_ratio} --video-duration {request.video_duration} --yes --follow")
        else:
            command = (f"nemochat gateway submit --prompt {shlex.quote(request.prompt)} --model {request.model} "
                       f"--orientation {request.orientation} --size {request.size} --duration {request.duration} --yes --follow")
        return command
