"""What nemochat writes comes from the message catalogue (core/texts.py), so
``--lang zh`` is Chinese throughout. This scan reads every module of nemochat
(the simulator aside: it plays the servers, whose words are not translated) and
fails on an English literal handed to something that reaches a person:

- an error of nemochat's (a ``NemochatError``) raised with a message or advice
  but no catalogue ``key`` (or a key, but no ``error.KEY.action`` for its advice);
- a literal printed, written to stderr, said in the REPL, put in a rich ``Text``,
  given to a client's ``notify``, to a completion's description, or to argparse
  as help, a description or a title (unless help_texts.py has its Chinese).

What is left of a literal once the words that stay verbatim are taken out (flags,
commands, URLs, placeholders, environment variables, names of products) must
hold no English word. ``VERBATIM`` is for a literal that must stay as it is (none
today). A message first put in a variable is not seen here: the Chinese one-shot
and pty tests (tests/cli/test_one_shot_chinese.py, tests/e2e/test_e2e_chinese.py)
read what such code prints."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import nemochat
from nemochat.core.help_texts import HELP_ZH
from nemochat.core.texts import CATALOGUE
from nemochat.errors import NemochatError

ROOT = Path(nemochat.__file__).parent

# Taken out of a literal before looking for English words: what a person types or
# reads as is in any language.
_VERBATIM_PARTS = re.compile(
    r"https?://\S+"  # URLs
    r"|`[^`]*`"  # a command in backticks
    r"|\{[^{}]*\}"  # placeholders
    r"|%[sdr]"  # logging placeholders
    r"|(?<![\w/])--?[a-z][\w-]*"  # flags
    r"|(?<![\w])/[a-z][\w.-]*"  # slash commands and paths
    r"|\b[A-Z][A-Z0-9_]+\b"  # environment variables, metavars, MP4, URL, JSON
    r"|\bnemochat(?: --demo)?(?: [a-z][\w-]*)*"  # a nemochat command line
    r"|\b(?:NemoVideo|NanoPhoto|Sora|Veo|OpenAI|Ctrl|Alt|Enter|Tab|Markdown|TOML|Python|PyAV|Pillow|socksio)\b"
    r"|\S*[/.~]\S*\w"  # file names and paths: clip.preview.png, ~/.bashrc, nemovideo.ai
    r"|\b\w+_\w+\b|\b[a-z]+[A-Z]\w*|\b\w*\d\w*\b"  # identifiers: sora_interval, imageToVideo, base64
    r"|\b\w+(?:-\w+)+\b"  # sora-2-pro, Content-Range
)
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")

# Literals that reach a person and stay as they are (a protocol value, a command line
# to copy, a file format's own syntax).
VERBATIM: set[tuple[str, str]] = set()

# The sinks: calls whose literal arguments a person reads.
_PRINTERS = {"print", "write", "notify", "warn", "say", "Text", "assemble"}
_ARGPARSE = {"add_argument", "add_parser", "ArgumentParser", "Parser", "add_subparsers", "add_argument_group"}
_ARGPARSE_WORDS = {"help", "description", "epilog", "title", "usage"}


def _errors() -> set[str]:
    for module in pkgutil.walk_packages([str(ROOT)], "nemochat."):
        if ".sim" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, todo = set(), [NemochatError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _literals(node: ast.AST) -> list[str]:
    """The text of the literals an expression is made of (an f-string's fixed parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)]
    if isinstance(node, ast.BinOp):
        return _literals(node.left) + _literals(node.right)
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [s for v in node.values for s in _literals(v)]
    return []


def _exact_keys(node: ast.AST) -> list[str]:
    """The keys a ``key=`` expression names whole ("a" if x else "b"); "a." + kind is checked as a prefix."""
    if isinstance(node, ast.IfExp):
        return _exact_keys(node.body) + _exact_keys(node.orelse)
    if isinstance(node, ast.BinOp):
        return []
    return _literals(node)


def english(text: str) -> bool:
    return bool(_ENGLISH_WORD.search(_VERBATIM_PARTS.sub(" ", text)))


# Words that stay in Latin letters in the Chinese: what a person types (commands, flags'
# values, fields of a request) and names of tools.
ZH_VERBATIM_WORDS = {
    "new", "cancel", "off", "submit", "status", "ask", "config", "set", "unset", "show", "path", "cat", "notes", "txt", "intro",
    "render", "jobs", "pip", "install", "pillow", "http", "https", "socks", "json", "sse", "prompt", "images", "chat",
    "portrait", "landscape", "small", "large", "high", "standard", "true", "false", "sora", "pro", "bash", "zsh", "fish",
    "shell", "lang", "output", "dir", "video", "create", "query", "answer", "max", "bytes", "event", "compinit",
}


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _modules() -> list[tuple[Path, str]]:
    """Every module of nemochat but the simulator's, as (path, source)."""
    paths = (p for p in sorted(ROOT.rglob("*.py")) if "sim" not in p.relative_to(ROOT.parent).parts)
    return [(p.relative_to(ROOT.parent), p.read_text(encoding="utf-8")) for p in paths]


def _findings(modules: list[tuple[Path, str]]) -> list[str]:
    errors, known = _errors(), CATALOGUE["en"]
    found: list[str] = []
    for where, source in modules:
        for call in ast.walk(ast.parse(source)):
            if not isinstance(call, ast.Call):
                continue
            name, kw = _name(call), {k.arg: k.value for k in call.keywords}
            said: list[ast.AST] = []
            if name in errors or name in ("Notice", "broken"):
                prefix = "error." if name != "Notice" else ""
                # (video_rules.broken(RULE, message, action, key=...): the rule's name, then its words)
                texts = [*call.args[1:3]] if name == "broken" else [*call.args[:1], *[kw[k] for k in ("action",) if k in kw]]
                worded = [t for t in texts if any(english(s) for s in _literals(t))]
                key = kw.get("key")
                if worded and key is None:
                    found.append(f"{where}:{call.lineno}: {name} without a catalogue key: {_literals(worded[0])[0]!r}")
                elif not isinstance(key, ast.BinOp) and worded:  # a key, or keys ("a" if x else "b")
                    for value in filter(None, _exact_keys(key)):
                        if prefix + value not in known:
                            found.append(f"{where}:{call.lineno}: {name}: no {prefix}{value} in the catalogue")
                        elif "action" in kw and kw["action"] in worded and f"error.{value}.action" not in known:
                            found.append(f"{where}:{call.lineno}: {name}: no error.{value}.action in the catalogue")
                elif worded:  # "video.no_task." + kind: some key of the catalogue starts so
                    start = next(iter(_literals(key)), "")
                    if not any(k.startswith(prefix + start) for k in known):
                        found.append(f"{where}:{call.lineno}: {name}: no {prefix}{start}… in the catalogue")
                continue
            if name in _PRINTERS:
                said = call.args[:1]
                if name == "assemble":  # rich's Text.assemble: (text, style) pairs or strings
                    said = [a.elts[0] if isinstance(a, ast.Tuple) else a for a in call.args]
                if name == "say" and len(call.args) > 1 and not _literals(call.args[0]):
                    said = [kw["default"]] if "default" in kw else []  # the catalogue's say(lang, KEY)
            elif name == "Completion":  # a suggestion's description in the completion menu
                said = [kw["display_meta"]] if "display_meta" in kw else []
            elif name in _ARGPARSE:  # --help: its Chinese is core/help_texts.py's (test_help_texts.py walks the parsers)
                said = [v for k, v in kw.items() if k in _ARGPARSE_WORDS] + (call.args[:1] if name == "add_argument_group" else [])
                said = [v for v in said if isinstance(v, ast.Constant)]  # (one built from parts: the walk sees it whole)
                said = [v for v in said if not all(s in HELP_ZH for s in _literals(v))]
            for node in said:
                for text in _literals(node):
                    if english(text) and (str(where), text) not in VERBATIM:
                        found.append(f"{where}:{call.lineno}: {name}: {text!r}")
    return found


def test_the_scan_finds_each_kind_of_english_it_looks_for():
    planted = Path("nemochat/planted.py"), "\n".join([
        'raise UsageError("Nothing to do here.")',  # an error without a key
        'raise UsageError("Nothing.", key="no.such.key")',  # a key the catalogue lacks
        'raise BackendError("Gone.", action="Try later.", key="session_not_found")',  # advice without error.K.action
        'emit(Notice(f"Resumed at {size}."))',  # a notice without a key
        'print(f"{name} removed from {path}")',
        'console.print(Text("Opened ", style="dim"))',
        'repl.say("Upload is not available.", "yellow")',
        'p.add_argument("--x", help="a flag nobody translated")',
        'yield Completion("new", display_meta="start a new session")',
        'raise broken("RULE", "Sora rule: no", key="rule.nope")',
        'print(say(lang, "credits"))', 'raise UsageError("x", key="usage.export")',  # fine: keyed, said
        'print(f"  {url}  /export NEMO_TOKEN")',  # fine: nothing but verbatim words
    ])
    found = _findings([planted])
    assert len(found) == 10, found
    assert all(line.startswith("nemochat/planted.py:") for line in found)


def test_the_scan_sees_english_and_lets_verbatim_words_through():
    assert english("Nothing to export yet.")
    assert english("{what}: the gateway refused the key ({detail})")
    assert not english("nemochat --demo sessions")
    assert not english("  {url}  /export --force NEMO_TOKEN https://nanophoto.ai/x")
    assert not english("没有任务 #{id}")


def test_the_chinese_has_no_english_sentence():
    from nemochat.core.help_texts import HELP_ZH
    from nemochat.repl.texts import _TEXTS

    tables = {"core": CATALOGUE["zh"], "help": HELP_ZH, "repl": _TEXTS["zh"]}
    left = {(name, key): words for name, table in tables.items() for key, value in table.items()
            if (words := set(_ENGLISH_WORD.findall(_VERBATIM_PARTS.sub(" ", value))) - ZH_VERBATIM_WORDS)}
    assert left == {}


def test_no_english_literal_reaches_a_person_outside_the_catalogue():
    found = _findings(_modules())
    assert found == [], f"{len(found)} English literals outside the catalogue:\n" + "\n".join(found)
