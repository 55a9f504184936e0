"""How every HTTP client reaches the network: proxies and trusted CAs.

As httpx does by default (and curl, pip, requests): ``HTTPS_PROXY``,
``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` choose the proxy;
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` replace the trusted CAs. On top:

- the ``proxy`` setting (``NEMOCHAT_PROXY``, config ``proxy``) sends every
  request through one proxy, except the hosts ``NO_PROXY`` names;
- the ``ca_bundle`` setting (a PEM file or a hashed folder) replaces the
  trusted CAs, before ``SSL_CERT_FILE``;
- otherwise the operating system's trust store (the ``truststore`` package,
  as pip uses), so a company CA installed on the machine is trusted; else
  certifi's bundle.

One place builds these options (``client_options``), so the API client, the
providers' clients and the CDN client (downloads, uploads) all behave alike.
"""

from __future__ import annotations

import functools
import importlib
import os
import ssl
from pathlib import Path
from typing import Any

from nemochat.core.texts import Said
from nemochat.errors import UsageError

CA_HINT = Said.of("network.ca_hint")  # "set SSL_CERT_FILE (or `nemochat config set ca_bundle FILE`) to your company's CA bundle"


def client_options(settings: Any) -> dict[str, Any]:
    """The keyword arguments every ``httpx.AsyncClient`` of nemochat gets.
    ``--demo`` talks to its own simulator on 127.0.0.1: never through a proxy."""
    options: dict[str, Any] = {"verify": tls_context(settings.ca_bundle), "trust_env": not settings.demo}
    _route.clear()
    if settings.demo:
        return options
    _route.update(_proxy_map(settings))
    if settings.proxy and _route:
        # An explicit proxy replaces httpx's environment proxies, NO_PROXY
        # included: its bypasses come back as mounts with no transport.
        options["proxy"] = settings.proxy
        options["mounts"] = {pattern: None for pattern, url in _route.items() if url is None}
    return options


# The proxies of this process's clients (pattern -> proxy URL, None: direct), to say which one failed.
_route: dict[str, str | None] = {}


def _proxy_map(settings: Any) -> dict[str, str | None]:
    """What httpx will do (its own reading of the environment), checked, so a
    proxy it cannot use is a usage error naming where it came from."""
    from httpx._utils import get_environment_proxies  # the parsing httpx itself uses

    if _no_proxy_everywhere():
        return {}
    found = get_environment_proxies()
    origin = "HTTPS_PROXY/HTTP_PROXY/ALL_PROXY"
    if settings.proxy:
        found = {"all://": settings.proxy, **{pattern: None for pattern, url in found.items() if url is None}}
        origin = "the proxy setting"
    for url in found.values():
        if url is not None:
            _check_proxy(url, origin)
    return found


def _check_proxy(url: str, origin: str) -> None:
    from urllib.parse import urlsplit

    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return
    if scheme in ("socks5", "socks5h"):
        try:
            importlib.import_module("socksio")  # httpx's SOCKS support (optional: not a dependency)
        except ImportError:
            raise UsageError(f"{origin}: {shown_proxy(url)} is a SOCKS proxy, which needs the socksio package (pip install socksio)",
                             key="proxy.socks", origin=origin, proxy=shown_proxy(url)) from None
        return
    raise UsageError(f"{origin}: {shown_proxy(url)} is not an http(s) or socks5 proxy URL (like http://proxy.example:3128)",
                     key="proxy.scheme", origin=origin, proxy=shown_proxy(url))


def through_proxy(exc: BaseException) -> Said | str:
    """`` through the proxy URL`` when the failed request went through one, else ""."""
    import httpx
    from httpx._utils import URLPattern

    if not isinstance(exc, httpx.HTTPError):  # only httpx's errors carry their request
        return ""
    try:
        url = exc.request.url
    except RuntimeError:  # an exception built without its request
        return ""
    for pattern, proxy in sorted((URLPattern(key), proxy) for key, proxy in _route.items()):
        if pattern.matches(url):
            return Said.of("network.through_proxy", proxy=shown_proxy(proxy)) if proxy else ""
    return ""


def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The TLS context for these CAs, built once per process (loading a CA
    bundle costs ~20 ms; the REPL does it after the prompt is drawn)."""
    return _context(ca_bundle or None, os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)


@functools.cache
def _context(ca_bundle: str | None, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    if ca_bundle:
        return _from_path(Path(ca_bundle).expanduser(), "the ca_bundle setting")
    if cert_file:
        return _from_path(Path(cert_file), "SSL_CERT_FILE")
    if cert_dir:
        return _from_path(Path(cert_dir), "SSL_CERT_DIR")
    return system_context()


def system_context() -> ssl.SSLContext:
    """The operating system's trust store where truststore supports it, else certifi."""
    try:
        import truststore
    except ImportError:  # not installed (or a platform it does not support)
        pass
    else:
        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _from_path(path: Path, origin: str) -> ssl.SSLContext:
    try:
        if path.is_dir():
            return ssl.create_default_context(capath=str(path))
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        reason = "not a PEM file of CA certificates" if isinstance(exc, ssl.SSLError) else exc.strerror or str(exc)
        raise UsageError(f"{origin}: cannot use {str(path)[:200]} as trusted CAs ({reason})", key="ca_bundle", origin=origin,
                         path=str(path)[:200], reason=reason) from None


def shown_proxy(url: object) -> object:
    """A proxy URL to show (``config show``): its password, if any, masked."""
    from urllib.parse import urlsplit

    if not isinstance(url, str) or "@" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":****@", 1)


def _no_proxy_everywhere() -> bool:
    from urllib.request import getproxies

    return "*" in [host.strip() for host in getproxies().get("no", "").split(",")]


def untrusted_certificate(exc: BaseException) -> bool:
    """The connection failed because the server's certificate is not trusted
    (TLS inspection by a company proxy, a self-signed server): not worth retrying."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
