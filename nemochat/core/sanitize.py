"""The one sanitizer for untrusted text.

Every string that comes from a server (agent text, titles, file names, error
messages, segment labels) passes through here before a terminal sees it. A
hostile or confused server must not be able to move the cursor, change the
window title, write to the clipboard (OSC 52), plant hidden hyperlinks (OSC 8),
or reorder what the user reads with bidi controls.

Three functions, from general to strict:

- `clean`: multi-line text, keeps newlines and tabs;
- `clean_line`: one line (titles, file names, status lines);
- `safe_filename`: one file-name component that cannot leave its folder;

and `clean_json` for every string inside a value printed as JSON.
"""

from __future__ import annotations

import re
import unicodedata

from nemochat.core import secrets

__all__ = ["clean", "clean_json", "clean_line", "safe_filename", "short_id"]

ESC = "\x1b"
BEL = "\x07"

# Escape sequences, removed whole (parameters included). Unterminated string
# sequences run to the end of the text, because that is what a terminal would
# swallow too.
_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\[ [0-?]* [ -/]* [@-~]                      # CSI: ESC [ params intermediates final
    | \x9b   [0-?]* [ -/]* [@-~]                      # 8-bit CSI
    | (?:\x1b[\]PX^_] | [\x9d\x90\x98\x9e\x9f])      # OSC, DCS, SOS, PM, APC (7- or 8-bit)
      .*? (?: \x07 | \x1b\\ | \x9c | \Z )             #   ... up to BEL, ST or the end
    | \x1b [ -/]* [0-~]                               # every other ESC sequence (2-char, nF)
    """,
    re.VERBOSE | re.DOTALL,
)

# Invisible characters that can reorder or hide text. U+200C/U+200D (ZWNJ/ZWJ)
# are kept: scripts and emoji sequences need them.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" "\u202a\u202b\u202c\u202d\u202e" "\u2066\u2067\u2068\u2069"
)
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")
_LINE_SEPARATORS = frozenset("\u2028\u2029")

# Emoji subdivision flags (England, Scotland...) are U+1F3F4 followed by tag
# characters; anywhere else tag characters are invisible "ASCII smuggling".
_EMOJI_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def _keep(char: str) -> bool:
    """Whether one character (after escape sequences are gone) may reach a terminal."""
    if char in "\n\t":
        return True
    if char in _BIDI_CONTROLS:
        return False
    category = unicodedata.category(char)
    if category == "Cc":  # C0, DEL and the 8-bit C1 controls
        return False
    if category == "Cf":  # invisible format characters
        return char in _KEPT_FORMAT_CHARS
    if category == "Cs":  # lone surrogates (from bad JSON) would crash print()
        return False
    return True


def _clean_chars(text: str) -> str:
    return "".join("\n" if char in _LINE_SEPARATORS else char for char in text if _keep(char))


def clean(text: str) -> str:
    """Remove terminal control sequences and invisible spoofing characters.

    Keeps ordinary Unicode (Chinese, emoji, ZWJ emoji sequences), newlines and
    tabs; turns CRLF, lone CR and U+2028/U+2029 into "\\n".

    This does NOT escape Rich markup: "[bold]" stays literal text. The view
    prints server text as `rich.text.Text` objects, which never parse markup;
    never pass cleaned text to a markup-parsing print.
    """
    if secrets.known:  # and nothing a server echoed of our keys and tokens
        text = secrets.hide(text)
    if _harmless(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces: list[str] = []
    position = 0
    for flag in _EMOJI_TAG_SEQUENCE.finditer(text):
        pieces.append(_clean_chars(text[position : flag.start()]))
        pieces.append(flag.group())
        position = flag.end()
    pieces.append(_clean_chars(text[position:]))
    return "".join(pieces)


def _harmless(text: str) -> bool:
    """Nothing in ``text`` would be changed: the fast path for most answers.

    ``str.isprintable`` is false for every character the rules above touch
    (ESC and the other controls, CR, format characters such as bidi controls
    and tags, surrogates, U+2028/U+2029), so a text that is printable apart
    from its newlines and tabs comes out of `clean` as it went in. (Spaces
    other than " " are "unprintable" too: those texts simply take the slow path.)"""
    return text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable()


_WHITESPACE_RUN = re.compile(r"\s+")


def short_id(identifier: str) -> str:
    """The one short form of an id shown to people (sessions, renders, jobs):
    its first 8 characters, as the chat and the toolbar show it."""
    return clean_line(identifier)[:8]


def clean_json(value: object) -> object:
    """``value`` with `clean` applied to every string in it (keys included),
    for ``--json`` lines: scripts print what they read."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(item) for item in value]
    return value


def clean_line(text: str) -> str:
    """`clean`, then every run of whitespace (newlines, tabs) becomes one space, stripped."""
    return _WHITESPACE_RUN.sub(" ", clean(text)).strip()


# --- file names ----------------------------------------------------------------

_PATH_SEPARATORS = re.compile(r"[/\\]+")
_WINDOWS_INVALID = re.compile(r'[<>:"|?*]+')
_DOT_RUN = re.compile(r"\.{2,}")
_DASH_RUN = re.compile(r"-{2,}")
_WINDOWS_RESERVED = re.compile(r"(?:con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])", re.IGNORECASE)
_SHORT_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# Characters that must not end a name: Windows drops trailing dots and spaces,
# and a dangling joiner or variation selector is half an emoji.
_TRAILING_JUNK = ". -\u200c\u200d\ufe0e\ufe0f"


def safe_filename(name: str, *, fallback: str = "video", max_length: int = 80) -> str:
    """One file-name component that can never escape its folder.

    Whitespace becomes "-" (so "Urban Dreams" gives "Urban-Dreams"); path
    separators and Windows-invalid characters become "-" too; runs of dots
    collapse to one dot, and leading dots and dashes go (no hidden files, no
    names read as command-line options). Unicode letters survive. Reserved
    Windows device names (CON, NUL, COM1...) get a "_" prefix. The result is
    at most `max_length` characters, keeping a short suffix such as ".mp4"
    when it has to cut; an empty result gives `fallback`.
    """
    text = clean_line(name)
    text = _PATH_SEPARATORS.sub("-", text)
    text = _WINDOWS_INVALID.sub("-", text)
    text = text.replace(" ", "-")
    text = _DOT_RUN.sub(".", text)
    text = _DASH_RUN.sub("-", text)
    text = text.lstrip(".-").rstrip(_TRAILING_JUNK)
    text = _truncate(text, max(1, max_length))
    if not text:
        return fallback
    stem = text.split(".", 1)[0]
    if _WINDOWS_RESERVED.fullmatch(stem):
        text = _truncate("_" + text, max(1, max_length))
    return text or fallback


def _truncate(text: str, max_length: int) -> str:
    """Cut to `max_length` code points, keeping a short suffix like ".mp4"
    (a flag's tag characters cut from their end are dropped: invisible alone)."""
    if len(text) <= max_length:
        return text
    suffix_match = _SHORT_SUFFIX.search(text)
    suffix = suffix_match.group() if suffix_match and len(suffix_match.group()) < max_length else ""
    stem = clean(text[: max_length - len(suffix)]).rstrip(_TRAILING_JUNK)
    return (stem + suffix) if stem else clean(text[:max_length]).rstrip(_TRAILING_JUNK)
