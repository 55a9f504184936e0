"""SimWorld: everything the simulator knows.

The server runs in a background thread while tests inspect and steer it, so
every read and write goes through one lock, and readers get copies.
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from typing import Any, Protocol
from collections.abc import Callable, Mapping

from nemochat.sim import draft as drafts
from nemochat.sim.faults import Faults
from nemochat.sim.providers import ProviderState

TOKEN_PREFIX = "nmv_usr_sim_"


@dataclass(frozen=True)
class Settings:
    """Tunable behaviour. The ``*_s`` durations are seconds at time_scale 1;
    ``Settings.delay`` scales them (0 = instant, for tests)."""

    time_scale: float = 1.0
    think_s: float = 0.5  # before each model call starts answering
    piece_s: float = 0.05  # between streamed text pieces
    generation_s: float = 4.0  # the video generation tool call
    tool_s: float = 0.8  # a music or timeline-edit tool call
    heartbeat_s: float = 1.0  # `: ping` interval while a tool runs
    render_progress_per_poll: int = 34  # pending -> 34 -> 68 -> 100 (completed)
    generation_cost: int = 10  # credits per generated clip
    starting_credits: int = 100
    upload_max_bytes: int = 500 * 1024 * 1024  # larger files get code 4002
    token_ttl_s: int = 7 * 24 * 3600
    token_retry_after_s: int = 30  # Retry-After when a valid token is re-requested
    token_hold_s: float = 0.0  # real seconds a token answer is held (a slow server: races show)

    def __post_init__(self) -> None:
        if self.time_scale < 0:
            raise ValueError("time_scale must be >= 0")

    def delay(self, seconds: float) -> float:
        return seconds * self.time_scale


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it. ``headers`` has lower-case names and
    keeps Authorization (use ``auth``/``has_auth``); ``to_json`` leaves its
    value out."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    json: Any
    time: float

    @property
    def auth(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def has_auth(self) -> bool:
        return "authorization" in self.headers

    def to_json(self) -> dict[str, Any]:
        headers = {k: v for k, v in self.headers.items() if k != "authorization"}
        return {"method": self.method, "path": self.path, "query": self.query,
                "headers": headers, "has_auth": self.has_auth, "json": self.json,
                "time": self.time}


@dataclass
class User:
    user_id: str
    credits: int
    frozen: int = 0  # spent on a running generation, not settled yet
    registered: bool = False


@dataclass
class Token:
    value: str
    client_id: str
    user_id: str
    expires_at: datetime
    revoked: bool = False

    def valid(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class Session:
    session_id: str
    task_id: str
    user_id: str
    language: str
    task_name: str
    draft: dict[str, Any] = field(default_factory=drafts.empty_draft)
    video_infos: list[dict[str, Any]] = field(default_factory=list)
    generated_media: list[dict[str, Any]] = field(default_factory=list)
    canvas_config: dict[str, Any] = field(
        default_factory=lambda: {"width": 1920, "height": 1080, "ratio": "16:9", "background": "#000000"})
    messages: list[str] = field(default_factory=list)  # what the user sent, in order

    def state(self) -> dict[str, Any]:
        return copy.deepcopy({"draft": self.draft, "video_infos": self.video_infos,
                              "generated_media": self.generated_media,
                              "canvas_config": self.canvas_config})


@dataclass
class Render:
    render_id: str
    session_id: str
    user_id: str
    draft: dict[str, Any]
    fail_reason: str | None = None  # armed by the render_fail fault
    status: str = "pending"
    progress: int = 0
    polls: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Upload:
    session_id: str
    filename: str
    file_type: str
    size: int | None  # None for URL uploads
    hash: str
    cdn_url: str


class TokenRateLimited(Exception):
    """A client asked for a token while its previous one is still valid."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class WorldKeeper(Protocol):
    """Who keeps the world between runs (the demo's world file, ``persist.WorldFile``)."""

    def sync(self) -> None: ...  # a request is about to be handled: take in what others saved
    def save(self) -> None: ...  # a request or an agent turn is over: write it down


class SimWorld:
    """All simulator state. Settings survive ``reset()``; everything else goes."""


    def __init__(self, settings: Settings | None = None, *, keeper: WorldKeeper | None = None) -> None:
        self._lock = threading.RLock()
        self._settings = settings or Settings()
        self._running_turns = 0  # agent runs in progress: runtime, not state, so reset() keeps it
        self._idle = threading.Condition(self._lock)
        self.providers = ProviderState()  # NanoPhoto's and the gateway's (tests steer it); reset() keeps it
        self._keeper = keeper  # the demo's world file (sim.persist): read before each request, saved after it
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._faults = Faults()
            self._requests: list[RecordedRequest] = []
            self._users: dict[str, User] = {}
            self._tokens: dict[str, Token] = {}
            self._client_users: dict[str, str] = {}  # client id -> user id
            self._sessions: dict[str, Session] = {}
            self._claims: dict[str, str] = {}  # claim token -> session id
            self._uploads: list[Upload] = []
            self._renders: dict[str, Render] = {}

    # persistence (sim.persist keeps the demo's world across runs) -------
    KEPT = ("users", "tokens", "client_users", "sessions", "claims", "uploads", "renders")

    def snapshot(self) -> dict[str, Any]:
        """Copies of what a demo world keeps across runs (not the request log, not faults)."""
        with self._lock:
            return copy.deepcopy({name: getattr(self, "_" + name) for name in self.KEPT})

    def restore(self, parts: Mapping[str, Any]) -> None:
        with self._lock:
            for name in self.KEPT:
                if name in parts:
                    setattr(self, "_" + name, parts[name])

    def requested(self) -> None:
        """A request is about to be handled: the demo takes in what other demo processes saved."""
        if self._keeper is not None:
            self._keeper.sync()

    def changed(self) -> None:
        """A request or an agent turn is over: the demo saves the world now."""
        if self._keeper is not None:
            self._keeper.save()

    # settings ----------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._settings

    def configure(self, **changes: Any) -> Settings:
        with self._lock:
            self._settings = dataclasses.replace(self._settings, **changes)
            return self._settings

    # request log -------------------------------------------------------
    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    # faults ------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        """A snapshot; change faults with ``set_faults``."""
        with self._lock:
            return copy.deepcopy(self._faults)

    def set_faults(self, patch: Mapping[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
        """Merge fault settings (see faults.py); returns them all as JSON."""
        with self._lock:
            self._faults.merge({**(patch or {}), **changes})
            return self._faults.to_json()

    def take_fault(self, name: str, when: Callable[[Any], bool] | None = None) -> Any:
        with self._lock:
            return self._faults.take(name, when)

    # tokens and users --------------------------------------------------
    def issue_token(self, client_id: str, *, force: bool = False) -> Token:
        """One token per client id while it is valid (else TokenRateLimited);
        the same client id keeps its anonymous user."""
        with self._lock:
            now = datetime.now(UTC)
            if not force and any(t.client_id == client_id and t.valid(now)
                                 for t in self._tokens.values()):
                raise TokenRateLimited(self._settings.token_retry_after_s)
            user_id = self._client_users.get(client_id)
            if user_id is None:
                user_id = f"anon_{uuid.uuid4().hex[:12]}"
                self._client_users[client_id] = user_id
                self._users[user_id] = User(user_id, self._settings.starting_credits)
            token = Token(TOKEN_PREFIX + secrets.token_urlsafe(24), client_id, user_id,
                          now + timedelta(seconds=self._settings.token_ttl_s))
            self._tokens[token.value] = token
            return dataclasses.replace(token)

    def user_for_token(self, value: str) -> User | None:
        with self._lock:
            token = self._tokens.get(value)
            if token is None or not token.valid(datetime.now(UTC)):
                return None
            return dataclasses.replace(self._users[token.user_id])

    def revoke_token(self, value: str) -> None:
        with self._lock:
            if value in self._tokens:
                self._tokens[value].revoked = True

    def user(self, user_id: str) -> User:
        with self._lock:
            return dataclasses.replace(self._users[user_id])

    @property
    def users(self) -> list[User]:
        with self._lock:
            return [dataclasses.replace(u) for u in self._users.values()]

    def set_credits(self, credits: int, user_id: str | None = None) -> int:
        """Set one user's (or every user's) available credits; returns how many users."""
        with self._lock:
            targets = [self._users[user_id]] if user_id else list(self._users.values())
            for user in targets:
                user.credits = credits
            return len(targets)

    def charge(self, user_id: str, amount: int) -> bool:
        """Freeze `amount` credits for a run; False if the user has too few."""
        with self._lock:
            user = self._users[user_id]
            if user.credits < amount:
                return False
            user.credits -= amount
            user.frozen += amount
            return True

    def settle(self, user_id: str, amount: int, *, refund: bool = False) -> None:
        """Unfreeze a run's credits: spent, or given back when the run failed."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:  # the world was reset during the run
                return
            user.frozen -= amount
            if refund:
                user.credits += amount

    # agent turns -------------------------------------------------------
    def turn_started(self) -> None:
        with self._lock:
            self._running_turns += 1

    def turn_finished(self) -> None:
        with self._lock:
            self._running_turns -= 1
            self._idle.notify_all()
        self.changed()

    def wait_until_idle(self, timeout: float = 5.0) -> bool:
        """Block until no agent turn is running (they go on after a dropped
        stream); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running_turns == 0, timeout)

    # sessions ----------------------------------------------------------
    def create_session(self, user_id: str, task_name: str, language: str) -> Session:
        with self._lock:
            session = Session(str(uuid.uuid4()), f"task_{uuid.uuid4().hex[:12]}",
                              user_id, language, task_name)
            self._sessions[session.session_id] = session
            return copy.deepcopy(session)

    def session(self, session_id: str) -> Session | None:
        with self._lock:
            return copy.deepcopy(self._sessions.get(session_id))

    def edit_session(self, session_id: str, edit: Callable[[Session], Any]) -> Any:
        """Run `edit` on the live session under the lock; returns its result
        (None, and no edit, if the world was reset meanwhile)."""
        with self._lock:
            session = self._sessions.get(session_id)
            return None if session is None else edit(session)

    def issue_claim(self, session_id: str) -> str:
        with self._lock:
            claim = "clm_" + secrets.token_urlsafe(18)
            self._claims[claim] = session_id
            return claim

    @property
    def claims(self) -> dict[str, str]:
        with self._lock:
            return dict(self._claims)

    # uploads -----------------------------------------------------------
    def add_uploads(self, uploads: list[Upload], apply: Callable[[Session], None]) -> None:
        """Record uploads and apply them to their session in one step."""
        with self._lock:
            self._uploads.extend(uploads)
            apply(self._sessions[uploads[0].session_id])

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return list(self._uploads)

    # renders -----------------------------------------------------------
    def add_render(self, render: Render) -> bool:
        """False when the id is taken (the client must pick a new one)."""
        with self._lock:
            if render.render_id in self._renders:
                return False
            self._renders[render.render_id] = render
            return True

    def render(self, render_id: str) -> Render | None:
        with self._lock:
            return copy.deepcopy(self._renders.get(render_id))

    def poll_render(self, render_id: str) -> Render:
        """One status poll: a running render advances by the per-poll progress."""
        with self._lock:
            render = self._renders[render_id]
            render.polls += 1
            if render.status in ("pending", "processing"):
                render.progress = min(100, render.progress + self._settings.render_progress_per_poll)
                if render.fail_reason and render.progress >= 50:
                    render.status, render.error = "failed", render.fail_reason
                else:
                    render.status = "completed" if render.progress >= 100 else "processing"
            return copy.deepcopy(render)

    def cancel_render(self, render_id: str) -> bool:
        """False if the render already finished."""
        with self._lock:
            render = self._renders[render_id]
            if render.status not in ("pending", "processing"):
                return False
            render.status = "cancelled"
            return True

