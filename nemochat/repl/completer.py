"""Tab completion, driven by the command registry.

- ``/ex`` -> the commands (and aliases) starting with it, each with its help;
- after a command: what its ``complete`` kind says: file paths (``/upload``:
  directories and the supported media; ``/export``: any path), session ids
  (``/session``, newest first, with their title and date), fixed words
  (``/help`` completes command names), or a provider's flags (``/sora
  submit --<Tab>``: the flags the chat takes, then the values of those that
  have a fixed set). A directory completes with its ``/``, so the next Tab
  goes on inside it.

Plain chat text is never completed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from nemochat.core.texts import command_help, say
from nemochat.repl.commands import Registry, SlashCommand
from nemochat.repl.sessions import KnownSession

MEDIA_EXTENSIONS = frozenset(
    "mp4 mov avi webm mkv jpg jpeg png gif webp mp3 wav m4a aac".split()
)


def _media_or_dir(path: str) -> bool:
    if os.path.isdir(path):
        return True
    return path.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS if "." in os.path.basename(path) else False


class ReplCompleter(Completer):
    def __init__(self, registry: Registry, sessions: Callable[[], list[KnownSession]] = lambda: [],
                 lang: Callable[[], str] = lambda: "en") -> None:
        self.registry = registry
        self.sessions = sessions
        self.lang = lang  # the language of each suggestion's description
        self._any_path = PathCompleter(expanduser=True)
        self._media_path = PathCompleter(expanduser=True, file_filter=_media_or_dir)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/") or "\n" in text:
            return
        if " " not in text:
            yield from self._commands(text)
            return
        word, _, rest = text[1:].partition(" ")
        command = self.registry.get(word)
        if command is None:
            return
        current = _current_argument(rest)
        if command.complete == "path":
            yield from self._paths(command, current, complete_event)
        elif command.complete == "session":
            yield from self._session_ids(command, current)
        elif command.complete == "provider":
            yield from self._provider_flags(command, rest, current)
        elif command.complete == "words" and command.words:
            if " " not in rest.strip() or not rest.strip():  # the first argument only
                yield from (Completion(w, start_position=-len(current)) for w in command.words if w.startswith(current))
        elif command.complete == "words":
            yield from self._command_names(current)

    def _commands(self, text: str) -> Iterable[Completion]:
        for word, command in self.registry.completions(text[1:]):
            yield Completion("/" + word + " ", start_position=-len(text), display="/" + word,
                             display_meta=command_help(self.lang(), command.name, command.help))

    def _paths(self, command: SlashCommand, current: str, event: CompleteEvent) -> Iterable[Completion]:
        typed = current.replace("\\ ", " ")
        completer = self._media_path if command.name == "upload" else self._any_path
        for completion in completer.get_completions(Document(typed, len(typed)), event):
            # PathCompleter completes the rest of a file name (start_position 0);
            # spaces in it must be escaped so the line still splits into the same words.
            # A directory gets its "/": the next Tab lists what is inside.
            full = typed[: len(typed) + completion.start_position] + completion.text
            slash = "/" if os.path.isdir(os.path.expanduser(full)) and not full.endswith("/") else ""
            yield Completion(
                completion.text.replace(" ", "\\ ") + slash,
                start_position=completion.start_position,
                display=completion.display,  # (prompt_toolkit shows a folder with its "/" already)
            )

    def _provider_flags(self, command: SlashCommand, rest: str, current: str) -> Iterable[Completion]:
        before = rest[: len(rest) - len(current)].split()
        if not before:
            yield from (Completion(w, start_position=-len(current)) for w in command.words if w.startswith(current))
            return
        try:
            from nemochat.repl.providers import chat_flags

            flags, values = chat_flags(command.name, before[0], self.lang())
        except Exception:  # completion must never break typing
            return
        previous = before[-1]
        if previous in values and not current.startswith("-"):
            yield from (Completion(v, start_position=-len(current)) for v in values[previous] if v.startswith(current))
            return
        if previous in flags and flags[previous][1]:  # a value of the user's own (--prompt TEXT)
            return
        for flag, (help, _takes_value, repeatable) in flags.items():
            if flag.startswith(current) and (repeatable or flag not in before):
                yield Completion(flag + " ", start_position=-len(current), display=flag, display_meta=help)

    def _session_ids(self, command: SlashCommand, current: str) -> Iterable[Completion]:
        for word in command.words:
            if word.startswith(current.lower()):
                yield Completion(word, start_position=-len(current), display_meta=say(self.lang(), "session.start_new"))
        try:
            known = self.sessions()
        except Exception:  # completion must never break typing
            known = []
        for session in known:
            if session.session_id.startswith(current):
                yield Completion(session.session_id, start_position=-len(current), display_meta=session.describe())

    def _command_names(self, current: str) -> Iterable[Completion]:
        for word, command in self.registry.completions(current.lstrip("/")):
            yield Completion(word, start_position=-len(current), display_meta=command_help(self.lang(), command.name, command.help))


def _current_argument(rest: str) -> str:
    """The argument being typed: after the last space that is not escaped."""
    i = len(rest)
    while i > 0:
        if rest[i - 1] == " " and (i < 2 or rest[i - 2] != "\\"):
            break
        i -= 1
    return rest[i:]
