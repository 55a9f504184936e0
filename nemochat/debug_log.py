"""The debug log: somewhere to look after the fact.

Off unless ``--debug`` (then ``<state folder>/logs/debug.log``) or the
``log_file`` setting (that file, with or without ``--debug``). It rotates
(1 MB, 3 old files kept), every file is private (0600), and every line
passes the same redaction as the rest of the output (``clients.http.redact``:
bearer tokens, NemoVideo and claim tokens, API keys, and the secrets of
this run's settings). What goes in: every HTTP request and its status (the
``httpx`` logger), what the views were shown (event kinds, notices, errors)
and the traceback of an unexpected error.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from io import TextIOWrapper
from pathlib import Path
from typing import Any, cast

from nemochat.core.texts import say

LOGGER = "nemochat"
MAX_BYTES = 1_000_000
BACKUPS = 3
_active: dict[str, Any] = {}  # "path", "handler": at most one log per process

logging.getLogger(LOGGER).addHandler(logging.NullHandler())  # never logging's last-resort stderr


def log_path(settings: Any, paths: Any) -> Path | None:
    """Where the log goes for these settings, or None when it is off."""
    if settings.log_file:
        return Path(settings.log_file).expanduser()
    if settings.debug:
        return Path(paths.state) / "logs" / "debug.log"
    return None


def start(settings: Any, paths: Any, *, max_bytes: int = MAX_BYTES) -> Path | None:
    """Open the log (once per process) and return its path; None when off.
    A log that cannot be opened is not a reason to fail the command."""
    path = log_path(settings, paths)
    if path is None:
        return None
    if _active.get("path") == path:
        return path
    stop()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _PrivateRotatingHandler(path, maxBytes=max_bytes, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        print("nemochat: " + say(settings.lang, "debug.no_log", path=path, reason=exc.strerror), file=sys.stderr)
        return None
    secrets = tuple(s for s in (settings.token, settings.nanophoto_api_key, settings.gateway_key, settings.client_id) if s)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    for name, level in ((LOGGER, logging.DEBUG), ("httpx", logging.INFO)):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(min(logger.level or level, level))
    _active.update(path=path, handler=handler)
    from nemochat import __version__

    logging.getLogger(LOGGER).info("nemochat %s, Python %s on %s; api_base %s", __version__, sys.version.split()[0], sys.platform, settings.api_base)
    return path


def stop() -> None:
    handler = _active.pop("handler", None)
    _active.pop("path", None)
    if handler is not None:
        for name in (LOGGER, "httpx"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()


def log_exception(exc: BaseException) -> None:
    """The traceback of an unexpected error (the user saw one line)."""
    if _active:
        logging.getLogger(LOGGER).error("unexpected error", exc_info=exc)


class Listener:
    """One more consumer of the UI events (beside the ledger): what the views
    were shown, by kind; notices and errors in full."""

    def __init__(self) -> None:
        self.log = logging.getLogger(LOGGER + ".events")

    def emit(self, event: Any) -> None:
        message = getattr(event, "message", None)
        if isinstance(message, str):
            self.log.debug("%s: %s", type(event).__name__, message[:500])
        else:
            self.log.debug("%s", type(event).__name__)

    def error(self, error: Any) -> None:
        self.log.warning("error %s: %s %s", error.code, error.message, error.action)


class _RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        from nemochat.clients.http import redact

        return redact(super().format(record), *self.secrets)


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Each file (the first and every one after a rollover) created 0600."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.chmod(self.baseFilename, 0o600)  # a file left by someone else's umask
        except OSError:
            pass
        # the handler's mode is a text one ("a"), so this is a TextIOWrapper;
        # the stubs know that only for a literal mode
        return cast(TextIOWrapper, os.fdopen(fd, self.mode.replace("w", "a"), encoding=self.encoding, errors=self.errors))
