"""What the user is shown, as values.

Everything a view displays arrives as one of these events, produced by the
turn state machine (agent output) or by the conversation (direct calls,
recovery). The rich view and the ``--json`` view consume the same stream, so
every behaviour can be tested with a recording view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from nemochat.core.draft import Timeline
from nemochat.core.events import Question
from nemochat.core.gui import GuiAction


@dataclass(frozen=True, slots=True)
class SessionReady:
    session_id: str
    task_id: str | None = None
    user_id: str | None = None
    claim_url: str | None = None
    resumed: bool = False
    demo: bool = False  # the --demo simulator: nothing leaves this machine, and there is no web page


@dataclass(frozen=True, slots=True)
class UserSaid:
    """The user's line, as sent to the agent (views usually show nothing; the ledger keeps it)."""

    text: str
    session_id: str


@dataclass(slots=True)  # not frozen, for speed: one per streamed piece (see events.Text)
class MessageDelta:
    """A new piece of assistant message ``index`` (raw, before GUI translation)."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class Message:
    """One complete assistant message, emitted exactly once.

    ``raw`` is what the backend sent (a view that streamed the deltas can
    tell what it has not shown yet); whatever shows it translates its GUI
    talk once, in its own words (``core.gui.translate_gui``)."""

    index: int
    raw: str
    complete: bool = True  # False when the stream ended before the final event


@dataclass(frozen=True, slots=True)
class MessageDropped:
    """Streamed pieces of ``index`` turned out to be noise; forget them."""

    index: int


@dataclass(frozen=True, slots=True)
class Thought:
    text: str


@dataclass(frozen=True, slots=True)
class ToolActivity:
    """A tool call (once per call id) or its result (matched to it by ``call_id``)."""

    name: str
    label: str
    phase: Literal["call", "result"]
    expected: str | None = None  # "usually 2-5 min"
    call_id: str = ""


@dataclass(frozen=True, slots=True)
class HandedOff:
    """Another agent took over the turn (``agent`` is its name: server text)."""

    agent: str


@dataclass(frozen=True, slots=True)
class ArtifactNoted:
    """A tool of the agent saved a file in the project, on the server
    (ADK's ``artifactDelta``): not a file on this machine. ``name`` is server text."""

    name: str


@dataclass(frozen=True, slots=True)
class Notice:
    message: str  # English: what --json and the ledger carry
    kind: Literal["info", "working", "recovery", "warning"] = "info"
    # the catalogue's message (core/texts.py) and its {placeholders}, for a view in another language
    key: str = field(default="", compare=False)
    values: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    stage: str | None = None  # "working": the stage a background job is at ("generating", "rendering"), for a toolbar


def notice_of(message: str, kind: Literal["info", "working", "recovery", "warning"]) -> Notice:
    """A notice of ``message``, in the user's language when it is a catalogue line (``core.texts.Said``)."""
    return Notice(str(message), kind=kind, key=getattr(message, "key", ""), values=getattr(message, "values", ()))


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    question: Question


@dataclass(frozen=True, slots=True)
class ActionOffered:
    action: GuiAction


@dataclass(frozen=True, slots=True)
class CreditsShown:
    available: float
    frozen: float
    total: float


@dataclass(frozen=True, slots=True)
class StateShown:
    timeline: Timeline


@dataclass(frozen=True, slots=True)
class ChangesShown:
    lines: tuple[str, ...]
    after_drop: bool = False  # seen by re-reading the state after a dropped stream, not after a silent turn

    @property
    def summary(self) -> str:
        return "; ".join(self.lines) if self.lines else "nothing changed"


@dataclass(frozen=True, slots=True)
class ErrorShown:
    code: str
    message: str
    action: str = ""
    # the catalogue's message (core/texts.py) and its {placeholders} when the words are nemochat's own
    key: str = field(default="", compare=False)
    values: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    action_key: str = field(default="", compare=False)
    action_values: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def say(self, lang: str) -> tuple[str, str]:
        """The message and the advice in ``lang`` (the server's own message as it is)."""
        from nemochat.core.texts import lang_of, say

        if lang_of(lang) == "en":
            return self.message, self.action
        message = say(lang, self.key, **dict(self.values)) if self.key else self.message
        return message, say(lang, self.action_key, **dict(self.action_values)) if self.action_key else self.action


@dataclass(frozen=True, slots=True)
class TurnFinished:
    silent: bool


# -- export and upload ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """One step of something long: a render (``unit`` "%") or a download or an
    upload (``unit`` "bytes"). Events with the same ``task`` update one bar;
    ``finished`` closes it (sent on every way out, so no bar is left running)."""

    task: str  # a stable key, e.g. "render:<id>", "download:<id>", "upload"
    label: str
    done: float
    total: float | None = None  # None: unknown size
    unit: Literal["%", "bytes"] = "bytes"
    speed: float | None = None  # units per second, when known
    eta: float | None = None  # seconds left, when known
    finished: bool = False


@dataclass(frozen=True, slots=True)
class ExportDone:
    """The export's outcome: ``path`` is the file on disk (None when not downloaded)."""

    render_id: str
    status: str
    url: str | None
    path: str | None


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file the backend accepted (server text: sanitize before showing)."""

    filename: str
    file_type: str
    cdn_url: str
    duration: float | None = None  # seconds
    width: int | None = None
    height: int | None = None
    fps: float | None = None


@dataclass(frozen=True, slots=True)
class UploadDone:
    files: tuple[UploadedFile, ...]
    applied: bool  # the backend said it put them into the session state


@dataclass(frozen=True, slots=True)
class VideoReady:
    """A Sora 2 / Veo 3.1 / gateway job's state (the ``video`` --json line):
    submitted ("processing"), "completed" (``url``, ``path`` when downloaded),
    "failed", or "unknown" (a submit whose answer was lost)."""

    provider: str  # "sora2" | "veo3.1" | "gateway"
    task_id: str | None
    status: str
    url: str | None = None
    credits_used: float | None = None
    path: str | None = None
    shot_id: str | None = None  # Veo: one event per shot
    job_id: int | None = None  # the ledger's job


@dataclass(frozen=True, slots=True)
class PreviewShown:
    """A video's keyframe preview (the ``preview`` --json line):
    ``line`` says what the file is, ``sheet`` is the PNG saved next to it,
    ``drawing`` what to send the terminal to show the frames ("" when it
    can't), already made for it (escape sequences built from our own PNG)."""

    path: str
    sheet: str | None
    duration_s: float
    width: int
    height: int
    frames: tuple[float, ...]  # each frame's time, seconds
    line: str  # "10.0 s · 320×180 · 24 fps · h264 · 162.2 KB"
    drawing: str = ""
    answer: bool = False  # asked for (`nemochat preview`): printed as the answer, else as chrome


UIEvent = (
    SessionReady
    | UserSaid
    | MessageDelta
    | Message
    | MessageDropped
    | Thought
    | ToolActivity
    | HandedOff
    | ArtifactNoted
    | Notice
    | QuestionAsked
    | ActionOffered
    | CreditsShown
    | StateShown
    | ChangesShown
    | ErrorShown
    | TurnFinished
    | TransferProgress
    | ExportDone
    | UploadDone
    | VideoReady
    | PreviewShown
)
