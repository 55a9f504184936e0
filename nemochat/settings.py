"""Settings: built-in defaults < config file < environment < flags, and where files live.

Every wait and retry is a named setting here, so tests and impatient users
can shrink it (``NEMOCHAT_<NAME>`` in the environment, e.g.
``NEMOCHAT_RETRY_AFTER_DEFAULT=0``). Paths come from platformdirs only.
"""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from collections.abc import Mapping
from typing import Any

DEFAULT_API_BASE = "https://mega-api-prod.nemovideo.ai"
DEFAULT_NANOPHOTO_BASE = "https://nanophoto.ai"
DEMO_BACKEND = "demo"  # what the ledger and the token cache call the --demo simulator


@dataclass(frozen=True)
class Paths:
    nemovideo_config: Path  # shared with NemoVideo's own skills: client_id lives here
    config: Path
    state: Path
    data: Path

    @classmethod
    def default(cls) -> Paths:
        import platformdirs

        return cls(
            nemovideo_config=Path(platformdirs.user_config_dir("nemovideo")),
            config=Path(platformdirs.user_config_dir("nemochat")),
            state=Path(platformdirs.user_state_dir("nemochat")),
            data=Path(platformdirs.user_data_dir("nemochat")),
        )


@dataclass(frozen=True)
class Settings:
    api_base: str = DEFAULT_API_BASE
    token: str | None = None
    session: str | None = None
    lang: str = "en"
    client_id: str | None = None
    json: bool = False
    demo: bool = False
    yes: bool = False
    no_fallback: bool = False
    verbose: bool = False
    debug: bool = False
    poll_interval: float | None = None
    nanophoto_api_key: str | None = None
    nanophoto_api_base: str = DEFAULT_NANOPHOTO_BASE
    gateway_url: str | None = None
    gateway_key: str | None = None
    output_dir: str = "."
    # how answers look, the fallback, and --record DIR
    show_thoughts: bool = False  # the model's thinking: hidden unless asked for (/thoughts on)
    no_color: bool = False  # also NO_COLOR (any value) in the environment
    fallback_provider: str = "sora2"  # sora2 (NanoPhoto, else a gateway), gateway, or none (like --no-fallback)
    fallback_ask: bool = True  # ask before spending credits on it (--yes says no)
    record: str | None = None  # save every /run_sse stream here as a replayable fixture
    # the network of a company (clients/network.py) and a debug log
    proxy: str | None = None  # every request through this proxy (else HTTPS_PROXY/HTTP_PROXY/ALL_PROXY; NO_PROXY applies)
    ca_bundle: str | None = None  # trusted CAs: a PEM file or a folder (else SSL_CERT_FILE/SSL_CERT_DIR, else the OS's store)
    log_file: str | None = None  # a rotating debug log (--debug: in the state folder)
    preview: str = "auto"  # how keyframe previews are drawn: auto|kitty|iterm|sixel|blocks|off
    preview_query_timeout: float = 0.1  # how long the terminal may take to answer "can you draw sixel?" (0: never ask)
    # waits and retries (seconds)
    connect_timeout: float = 10.0
    request_timeout: float = 30.0
    stream_cap: float = 900.0  # /run_sse may run 15 minutes, no read timeout of its own
    still_working_every: float = 120.0
    retry_after_default: float = 30.0  # HTTP 429 without Retry-After
    retry_after_max: float = 60.0  # a longer Retry-After is not waited: we say when to try again (exit 5)
    # bounds on what a server can make us hold or wait for (clients/bounds.py)
    # a whole simple API call (not uploads, downloads or streams), however slowly it trickles:
    # this, or twice request_timeout if that is less (a 3 s timeout is not stretched to a minute)
    request_deadline: float = 60.0
    json_answer_max_bytes: int = 8 * 1024 * 1024  # one JSON answer, decompressed
    sse_event_max_bytes: int = 16 * 1024 * 1024  # one line, or one event, of the agent's stream
    recovery_first_wait: float = 30.0  # after a dropped stream, before the first state read
    recovery_interval: float = 60.0
    recovery_reads: int = 5
    # provider jobs (Sora 2, Veo 3.1, gateway), per their guidance; --poll-interval overrides every interval
    sora_initial_delay: float = 120.0
    sora_interval: float = 20.0
    sora_max_wait: float = 1200.0
    veo_interval: float = 8.0
    veo_max_wait: float = 1800.0
    gateway_interval: float = 10.0
    gateway_max_wait: float = 1200.0
    gateway_query_path: str = "/v1/video/query"
    nanophoto_hourly_requests: int = 100  # NanoPhoto's limit per API key, counted across jobs and processes
    # export: render polls start near 2 s and grow x1.5 to the
    # protocol's 10-30 s range; --poll-interval replaces the whole schedule.
    # 2, 3, 4.5, 6.8, 10.1, 15.2, then every 20 s: at most 34 status polls in
    # the 10 minutes (bench/polling.py counts them; the budget is 40).
    export_deadline: float = 600.0  # stop waiting (the render goes on) after 10 minutes
    export_first_poll: float = 2.0
    export_max_poll: float = 20.0
    download_resumes: int = 5  # Range resumes after dropped connections, per URL
    # NemoVideo unreachable (refused, DNS, connect timeout, cut before an answer):
    # requests that spend nothing are tried again after 1, 2, 4 s (doubling, capped)
    connect_retries: int = 3
    connect_retry_wait: float = 1.0
    connect_retry_max_wait: float = 8.0
    identity_lock_wait: float = 120.0  # for another run making the client id or getting the token

    @property
    def backend(self) -> str:
        """The name sessions and tokens are kept under: the address, except
        for the demo, whose simulator takes a new port each run but keeps one
        world (sim.persist), so its sessions must be found again."""
        return DEMO_BACKEND if self.demo else self.api_base

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
        return cls.load_with_sources(env, **flags)[0]

    @classmethod
    def load_with_sources(
        cls, env: Mapping[str, str] | None = None, *, check_urls: bool = True, **flags: object
    ) -> tuple[Settings, dict[str, str]]:
        """Defaults < config file < environment < flags, and where each value came from.
        ``check_urls=False``: for ``config show``, which must show a bad address to get it fixed."""
        from nemochat.config_file import config_path, read_config

        env = os.environ if env is None else env
        # field name -> value, of the field's type: read_config, _from_env and the
        # command line each check theirs (a mapping mypy cannot type field by field)
        values: dict[str, Any] = {"lang": _locale_lang(env)}
        sources = {f.name: "default" for f in fields(cls)} | {"lang": "locale"}
        path = config_path(env)
        for key, value in read_config(path).items():
            values[key], sources[key] = value, f"file {path}"
        for key, (value, name) in _from_env(env).items():
            values[key], sources[key] = value, f"env {name}"
        for key, value in flags.items():
            if value is not None:
                values[key], sources[key] = value, "flag --" + key.replace("_", "-")
        if check_urls:
            _check_urls(values, sources)
        from nemochat.core.secrets import remember

        remember(*(values.get(key) for key in ("token", "nanophoto_api_key", "gateway_key")))  # hidden wherever a server echoes them
        return replace(cls(), **values), sources


_ENV = {
    "NEMO_API_URL": "api_base",
    "NEMO_TOKEN": "token",
    "NEMO_SESSION": "session",
    "NEMO_LANG": "lang",
    "NEMO_CLIENT_ID": "client_id",
    "NEMOCHAT_POLL_INTERVAL": "poll_interval",
    "NANOPHOTO_API_KEY": "nanophoto_api_key",
    "NANOPHOTO_API_URL": "nanophoto_api_base",
    "SORA_GATEWAY_URL": "gateway_url",
    "SORA_GATEWAY_KEY": "gateway_key",
}


# The backends' addresses. A value that is not an http(s) URL is a usage
# error found here, before any request (httpx would fail it as a network
# error, exit 5, with a message that does not name the setting).
URL_KEYS = {"api_base": DEFAULT_API_BASE, "nanophoto_api_base": DEFAULT_NANOPHOTO_BASE, "gateway_url": "https://gateway.example",
            "proxy": "http://proxy.example:3128"}


def _check_urls(values: Mapping[str, object], sources: Mapping[str, str]) -> None:
    for key, _example in URL_KEYS.items():
        value = values.get(key)
        if value is None or (key == "gateway_url" and value == ""):  # no gateway configured
            continue
        if values.get("demo") and key != "gateway_url":  # --demo replaces them with the simulator's
            continue
        problem = url_problem(key, value)
        if problem:
            from nemochat.errors import UsageError

            raise UsageError(f"{sources.get(key, key)}: {problem}", key="url", origin=sources.get(key, key), problem=problem)


def url_problem(key: str, value: object) -> str | None:
    """Why ``value`` cannot be the backend address ``key``, or None. An address
    carrying credentials (``http://user:pw@host``) is refused: it would show in
    --debug, ``config show``, the ledger and recordings, and go wherever the
    URL is sent. Keys have their own settings."""
    from urllib.parse import urlsplit

    shown = without_userinfo(str(value))[:80]
    from nemochat.core.texts import Said

    if not is_http_url(value):
        return Said.of("url.not_http", name=key, example=URL_KEYS[key], value=repr(shown))
    if key != "proxy" and "@" in urlsplit(str(value)).netloc:  # a proxy's own login is its business (shown masked)
        return Said.of("url.userinfo", name=key, value=shown)
    return None


def without_userinfo(url: str) -> str:
    """``http://***@host/...`` for ``http://user:pw@host/...``: safe to show."""
    import re

    return re.sub(r"(?<=//)[^/?#]*@", "***@", url)


def is_http_url(value: object) -> bool:
    """``http://host[:port][/path]`` or ``https://...``, with a host and a valid port."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _from_env(env: Mapping[str, str]) -> dict[str, tuple[object, str]]:
    """Settings found in the environment: key -> (value, variable name)."""
    from nemochat.config_file import coerce, config_keys

    out: dict[str, tuple[str, str]] = {}
    if env.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        out["no_color"] = ("true", "NO_COLOR")
    for name, key in _ENV.items():
        if env.get(name):
            out[key] = (env[name], name)
    configurable = set(config_keys())
    for f in fields(Settings):
        name = f"NEMOCHAT_{f.name.upper()}"
        raw = env.get(name)
        if raw is None or f.name in out or (f.type not in ("float", "int", "str") and f.name not in configurable):
            continue
        out[f.name] = (raw, name)
    for value, name in out.values():
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8 (kept as lone surrogates): nothing could send them
                from nemochat.errors import UsageError

                raise UsageError(f"{name} is not valid UTF-8: check how it is set", key="setting.not_utf8", name=name) from None
    return {k: (coerce(k, v, name) if k in configurable else _coerce(k, v), name) for k, (v, name) in out.items()}


def _coerce(key: str, value: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[key]
    if not isinstance(value, str):
        return value
    try:
        if kind.startswith("float"):
            return float(value)
        if kind.startswith("int"):
            return int(value)
    except ValueError:
        from nemochat.errors import UsageError

        raise UsageError(f"{key} must be a number, got {value!r}", key="setting.number", name=key, value=repr(value)) from None
    return value


def _locale_lang(env: Mapping[str, str]) -> str:
    raw = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    if not raw:
        try:
            raw = locale.getlocale()[0] or ""
        except ValueError:
            raw = ""
    return "zh" if raw.lower().startswith("zh") else "en"
