"""The typed errors. Every failure a user can meet is one of these.

Each carries the backend's ``code`` (or the HTTP status), a one-line
``message``, the ``action`` the user can take, and the process ``exit_code``
of the command-line contract:

    NemochatError                 1  a bug: unexpected
    ├── UsageError                2  bad usage or bad input
    ├── AuthError                 3  authentication failed for good
    ├── CreditsError              4  no credits (2001) or plan (HTTP 402)
    ├── BackendError              5  the backend or network failed after safe retries
    │   ├── NetworkError             could not reach it / timed out
    │   ├── RateLimited              HTTP 429 (carries retry_after)
    │   ├── SessionNotFound          1002 / ADK's 404 "Session not found"
    │   ├── TokenRejected            1001 (recovered by a new token)
    │   └── StreamDropped            the SSE stream broke mid-turn
    └── Interrupted             130  Ctrl-C
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BackendError",
    "CreditsError",
    "Interrupted",
    "NemochatError",
    "NetworkError",
    "RateLimited",
    "SessionNotFound",
    "StreamDropped",
    "TokenRejected",
    "UsageError",
]


class NemochatError(Exception):
    exit_code = 1
    default_code = "error"

    def __init__(
        self, message: str, *, code: str | int | None = None, action: str = "", key: str = "", **values: object
    ) -> None:
        from nemochat.core.secrets import hide  # a key a server echoed is never shown

        message, action = hide(message), hide(action)
        super().__init__(message)
        self.message = message
        self.code = str(code) if code is not None else self.default_code
        self.action = action
        # The message in the catalogue (core/texts.py, "error.KEY" and "error.KEY.action"),
        # so a view can say it in the user's language; ``message`` stays English (logs, --json).
        self.key = key
        self.action_key = ""  # set with an ``action`` given after the error was made (a client's own hint)
        # An error or a catalogue line named inside this one ("{error}; the task is unaffected"), or
        # a list of lines ("Cannot upload: {problems}"), is said in the same language as this one.
        self.nested = {name: value for name, value in values.items() if isinstance(value, (NemochatError, tuple)) or bool(getattr(value, "key", ""))}
        self.values = {name: hide(_english(value)) for name, value in values.items()}

    def say(self, lang: str | None) -> tuple[str, str]:
        """The message and the advice in ``lang``: the catalogue's when keyed, else the English."""
        from nemochat.core.secrets import hide
        from nemochat.core.texts import say_error

        values = {**self.values, **{name: hide(_said(inner, lang)) for name, inner in self.nested.items()}}
        return say_error(lang, self.key, values, self.message, self.action, self.action_key)

    def __str__(self) -> str:
        return self.message


def _english(value: object) -> str:
    return "; ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _said(value: object, lang: str | None) -> str:
    """An error, a catalogue line (``core.texts.Said``) or a tuple of them, in ``lang``."""
    if isinstance(value, NemochatError):
        return value.say(lang)[0]
    from nemochat.core.texts import say

    if isinstance(value, tuple):
        return "; ".join(say(lang, v.key, **dict(v.values)) if getattr(v, "key", "") else str(v) for v in value)
    return say(lang, value.key, **dict(value.values))  # type: ignore[attr-defined]  # a catalogue line (core.texts.Said)


class UsageError(NemochatError):
    exit_code = 2
    default_code = "usage"


class AuthError(NemochatError):
    exit_code = 3
    default_code = "auth"


class CreditsError(NemochatError):
    exit_code = 4
    default_code = "2001"


class BackendError(NemochatError):
    exit_code = 5
    default_code = "backend"


class NetworkError(BackendError):
    default_code = "network"


class RateLimited(BackendError):
    default_code = "429"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class SessionNotFound(BackendError):
    default_code = "1002"


class TokenRejected(BackendError):
    default_code = "1001"


class StreamDropped(BackendError):
    default_code = "stream_dropped"


def local_error(exc: BaseException) -> NemochatError | None:
    """A file that cannot be written or read here (read-only or full file
    system, no permission) as one clear usage error, naming the file; None
    for any other error. The machine, not a bug."""
    import errno

    full_or_read_only = {getattr(errno, name, None) for name in ("ENOSPC", "EROFS", "EDQUOT", "EFBIG")}
    forbidden = {errno.EACCES, errno.EPERM}
    if not isinstance(exc, OSError) or exc.errno not in full_or_read_only | forbidden:
        return None
    where = f" {exc.filename}" if exc.filename else ""
    return UsageError(
        f"cannot {'write' if exc.errno in full_or_read_only else 'use'}{where}: {exc.strerror}",
        code=errno.errorcode.get(exc.errno or 0, "os_error"),
        action="Free some space or make the folder writable (XDG_CONFIG_HOME, XDG_STATE_HOME and XDG_DATA_HOME move nemochat's files).",
        key="local.write" if exc.errno in full_or_read_only else "local.use", where=where, reason=exc.strerror,
    )



class Interrupted(NemochatError):
    exit_code = 130
    default_code = "interrupted"
