"""The prompt's history: kept in the state folder across runs, private,
bounded, and the dimmed suggestion taken from its newest entries.

A key must cost the same after a year as on day one: the file keeps the
newest HISTORY_KEEP entries (older ones are dropped when it is opened), and
the suggestion looks through the newest SUGGEST_FROM. prompt_toolkit's
AutoSuggestFromHistory copies and walks the whole history on every key
(17 ms of CPU a key at 150,000 lines, against 3.5 ms with none).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.auto_suggest import AutoSuggest, Suggestion
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

HISTORY_KEEP = 10_000
SUGGEST_FROM = 1_000

# A flag whose value is a secret: --api-key, --token, --key, --nanophoto-api-key, --password...
SECRET_FLAG = re.compile(r"(?<![\w-])--?[\w-]*(?:key|token|secret|password|passwd|credential)s?(?:[=\s]|$)", re.IGNORECASE)


def has_secret(line: str) -> bool:
    """Whether a typed line carries a secret flag (never written to the history file)."""
    return bool(SECRET_FLAG.search(line))


class PrivateHistory(FileHistory):
    """The history file, readable by its owner only (0600), never a line that
    carries a secret flag (``/sora submit ... --api-key np_...``: such a line
    is recalled in this run only), and never more than HISTORY_KEEP entries."""

    def load_history_strings(self) -> Iterable[str]:
        newest_first = list(super().load_history_strings())
        if len(newest_first) > HISTORY_KEEP:
            newest_first = newest_first[:HISTORY_KEEP]
            self._rewrite(reversed(newest_first))
        return newest_first

    def _rewrite(self, oldest_first: Iterable[str]) -> None:
        """The file with only what is kept, replaced whole (never half-written)."""
        path = Path(os.fsdecode(self.filename))
        temporary = path.with_name(path.name + ".tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as file:
                for string in oldest_first:
                    file.write("\n#\n" + "".join(f"+{line}\n" for line in string.split("\n")))
            os.replace(temporary, path)
        except OSError:  # kept in memory only; the file stays as it was
            temporary.unlink(missing_ok=True)

    def store_string(self, string: str) -> None:
        if has_secret(string):
            return
        fd = os.open(self.filename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        super().store_string(string)


class RecentSuggestion(AutoSuggest):
    """prompt_toolkit's AutoSuggestFromHistory over the newest SUGGEST_FROM
    entries, walked in place (no copy of the history per key)."""

    def get_suggestion(self, buffer: Buffer, document: Document) -> Suggestion | None:
        text = document.text.rsplit("\n", 1)[-1]
        if not text.strip():
            return None
        history = buffer.history
        newest_first = getattr(history, "_loaded_strings", None)  # prompt_toolkit's own list, newest first
        if not isinstance(newest_first, list):
            newest_first = list(reversed(history.get_strings()))
        for string in itertools.islice(newest_first, SUGGEST_FROM):
            for line in reversed(string.splitlines()):
                if line.startswith(text):
                    return Suggestion(line[len(text) :])
        return None


def open_history(path: Path | None) -> History:
    """The persistent history file (0600); in memory if it cannot be written."""
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(path, 0o600)  # an older file may have been created 0644
        return PrivateHistory(str(path))
    except OSError:
        return InMemoryHistory()
