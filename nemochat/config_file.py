"""The user's config file: ``<user_config_dir("nemochat")>/config.toml``.

Flat ``key = value`` lines, the keys being the Settings names (the same as
``NEMOCHAT_<KEY>`` in the environment). Read with tomllib; written by
``nemochat config set`` one line at a time, so the user's comments and
layout survive, and atomically (a temp file renamed over the old one).

Only what a person would choose once lives here: the backend, the language,
the output folder, every wait, the fallback, how answers look. Secrets
(tokens, API keys) are never written to it: they belong in the environment.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from nemochat.errors import UsageError

FILE_NAME = "config.toml"
CONFIG_ENV = "NEMOCHAT_CONFIG"  # another file, for scripts and tests
SECRET_KEYS = ("token", "client_id", "nanophoto_api_key", "gateway_key")
_NAMED_KEYS = (
    "api_base", "lang", "output_dir", "nanophoto_api_base", "gateway_url", "gateway_query_path",
    "fallback_provider", "fallback_ask", "show_thoughts", "no_color", "proxy", "ca_bundle", "log_file", "preview",
)  # fmt: skip
CHOICES = {"fallback_provider": ("sora2", "gateway", "none"), "preview": ("auto", "kitty", "iterm", "sixel", "blocks", "off")}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    from nemochat.settings import Paths

    return Paths.default().config / FILE_NAME


def kinds() -> dict[str, tuple[str, bool]]:
    """Every Settings field: its base type (str, float, int, bool) and whether None is allowed."""
    from nemochat.settings import Settings

    out = {}
    for f in fields(Settings):
        parts = [p.strip() for p in str(f.type).split("|")]
        out[f.name] = (next(p for p in parts if p != "None"), "None" in parts)
    return out


def config_keys() -> list[str]:
    """The keys a config file may set: the named ones, and every wait, interval,
    deadline and count (any numeric setting, so new waits are configurable too)."""
    return [key for key, (base, _) in kinds().items() if key in _NAMED_KEYS or base in ("float", "int")]


def coerce(key: str, value: object, origin: str) -> object:
    """``value`` (from TOML, or a string from the environment or the command
    line) as ``key``'s type; a ``UsageError`` naming ``origin`` if it is not."""
    base, optional = kinds()[key]
    if isinstance(value, str) and base != "str":
        value = _from_text(base, value.strip())
    ok = {
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
    }[base]
    if value is None and optional:
        return None
    if not ok or (base in ("int", "float") and isinstance(value, (int, float)) and (not math.isfinite(value) or value < 0)):
        raise UsageError(f"{origin}: {key} must be {_describe(base)}, got {value!r}", key="config.type." + base, origin=origin, name=key, value=repr(value))
    if key in CHOICES and value not in CHOICES[key]:
        raise UsageError(f"{origin}: {key} must be one of {', '.join(CHOICES[key])}, got {value!r}", key="config.choice", origin=origin, name=key,
                         choices=", ".join(CHOICES[key]), value=repr(value))
    return float(value) if base == "float" and isinstance(value, int | float) else value  # (``ok`` said it is one)


def read_config(path: Path) -> dict[str, object]:
    """The file's known keys, checked; unknown keys are ignored (``unknown_keys`` lists them)."""
    allowed = set(config_keys())
    return {key: coerce(key, value, str(path)) for key, value in _load(path).items() if key in allowed}


def unknown_keys(path: Path) -> list[str]:
    allowed = set(config_keys())
    return [key for key in _load(path) if key not in allowed]


def set_value(path: Path, key: str, raw: str) -> object:
    """Check ``raw`` for ``key`` and write it into the file; returns the value."""
    _check_settable(key)
    value = coerce(key, raw, "config set")
    check_url(key, value, "config set")
    _rewrite(path, key, f"{key} = {_toml(value)}")
    return value


def check_url(key: str, value: object, origin: str) -> None:
    """A backend address must be an http(s) URL: refused when it is set, since
    once in the file it stops every command but ``config`` (settings.py)."""
    from nemochat.settings import URL_KEYS, url_problem

    if key not in URL_KEYS or value is None or (key == "gateway_url" and value == ""):  # "": no gateway
        return
    problem = url_problem(key, value)
    if problem:
        raise UsageError(f"{origin}: {problem}", key="url", origin=origin, problem=problem)


def unset_value(path: Path, key: str) -> bool:
    """Remove ``key`` from the file; False if it was not there."""
    _check_settable(key)
    if key not in _load(path):
        return False
    _rewrite(path, key, None)
    return True


def mask(value: object) -> str:
    """A secret as ``****abcd``: enough to recognise, too little to use."""
    text = str(value)
    return "****" + text[-4:] if len(text) >= 12 else "****"


# -- plumbing ---------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})", action="Fix the file, or move it away.", key="config.toml", path=path, reason=exc) from None
    except UnicodeDecodeError:  # a binary file: TOML is UTF-8 text
        raise UsageError(f"{path}: not valid TOML (not UTF-8 text)", action="Fix the file, or move it away.", key="config.not_utf8", path=path) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", key="file.unreadable", path=path, reason=exc.strerror) from None


def _check_settable(key: str) -> None:
    if key in SECRET_KEYS:
        raise UsageError(f"{key} is a secret: it is not kept in the config file", action="Set it in the environment instead.", key="config.secret", name=key)
    if key not in config_keys():
        raise UsageError(f"unknown config key {key!r}", action="See `nemochat config show` for the keys.", key="config.unknown", name=repr(key))


def _rewrite(path: Path, key: str, line: str | None) -> None:
    """Replace (or drop) ``key``'s top-level line, else append it before any table."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    first_table = next((i for i, text in enumerate(lines) if text.lstrip().startswith("[")), len(lines))
    hits = [i for i in range(first_table) if pattern.match(lines[i])]
    if hits:
        lines[hits[0] : hits[0] + 1] = [line] if line is not None else []
    elif line is not None:
        lines.insert(first_table, line)
    text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(text)  # never write a file we could not read back
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})", action="Fix the file, or move it away.", key="config.toml", path=path, reason=exc) from None
    from nemochat.private_files import write_private

    write_private(path, text)


def _from_text(base: str, raw: str) -> object:
    if raw.lower() in ("", "none", "null"):
        return None
    try:
        if base == "bool":
            if raw.lower() in _TRUE + _FALSE:
                return raw.lower() in _TRUE
            return raw
        return int(raw) if base == "int" else float(raw)
    except ValueError:
        return raw


def _describe(base: str) -> str:
    return {"str": "text", "bool": "true or false", "int": "a whole number >= 0", "float": "a number >= 0"}[base]


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
