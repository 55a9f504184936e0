"""Proxies and company CAs: a real forward proxy and a real HTTPS
simulator on 127.0.0.1; the environment is the machine's way of saying
where the network is, as for curl, pip and httpx."""

from __future__ import annotations

import pytest
from proxy_helpers import ForwardProxy


@pytest.fixture
def proxy():
    with ForwardProxy() as running:
        yield running


def test_http_proxy_from_the_environment_carries_the_requests(cli, sim, world, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    code, out, err = cli("credits", "--api-base", sim.base_url)
    assert code == 0, err
    assert "available" in out
    assert any(line.startswith(f"GET {sim.base_url}/") for line in proxy.seen), proxy.seen
    assert world.requests, "the simulator answered through the proxy"


def test_no_proxy_covering_the_host_bypasses_the_proxy(cli, sim, world, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    code, _, err = cli("credits", "--api-base", sim.base_url)
    assert code == 0, err
    assert proxy.seen == []


def test_the_proxy_setting_applies_and_no_proxy_still_wins(cli, sim, world, proxy, monkeypatch):
    monkeypatch.setenv("NEMOCHAT_PROXY", proxy.url)
    assert cli("credits", "--api-base", sim.base_url)[0] == 0
    assert proxy.seen and all(line.startswith("GET http://127.0.0.1") or line.startswith("POST http://127.0.0.1") for line in proxy.seen)
    proxy.seen.clear()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert cli("credits", "--api-base", sim.base_url)[0] == 0
    assert proxy.seen == []


def test_https_through_a_connect_proxy_with_the_ca_from_ssl_cert_file(cli, https_sim, proxy, test_ca, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca[0]))
    code, out, err = cli("credits", "--api-base", https_sim.base_url)
    assert code == 0, err
    host = https_sim.base_url.removeprefix("https://")
    assert proxy.seen and set(proxy.seen) == {f"CONNECT {host}"}


def test_an_untrusted_certificate_is_one_line_saying_what_to_set(cli, https_sim, monkeypatch):
    monkeypatch.setenv("NEMOCHAT_CONNECT_RETRIES", "3")
    code, out, err = cli("credits", "--api-base", https_sim.base_url)
    assert code == 5
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "certificate is not trusted" in lines[0] and "SSL_CERT_FILE" in lines[0] and "ca_bundle" in lines[0]
    assert "tried" not in lines[0]  # not retried: it would fail the same way
    assert "Traceback" not in err


def test_the_ca_bundle_setting_trusts_a_company_ca(cli, https_sim, test_ca, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    monkeypatch.setenv("NEMOCHAT_CONFIG", str(config))
    assert cli("config", "set", "ca_bundle", str(test_ca[0]))[0] == 0
    code, out, err = cli("credits", "--api-base", https_sim.base_url)
    assert code == 0, err and "available" in out


def test_a_ca_bundle_that_is_not_a_pem_file_is_a_usage_error(cli, https_sim, monkeypatch, tmp_path):
    bad = tmp_path / "ca.txt"
    bad.write_text("not a certificate\n")
    monkeypatch.setenv("NEMOCHAT_CA_BUNDLE", str(bad))
    code, _, err = cli("credits", "--api-base", https_sim.base_url)
    assert code == 2
    assert err.strip().splitlines() == [f"nemochat: the ca_bundle setting: cannot use {bad} as trusted CAs (not a PEM file of CA certificates)"]


def test_the_demo_never_goes_through_a_proxy(cli, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    code, out, err = cli("--demo", "credits")
    assert code == 0, err
    assert proxy.seen == []


def test_uploads_and_cdn_downloads_go_through_the_proxy_too(cli, sim, world, proxy, monkeypatch, tmp_path):
    from nemochat.sim.files import media

    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NEMOCHAT_EXPORT_FIRST_POLL", "0")
    monkeypatch.setenv("NEMOCHAT_EXPORT_MAX_POLL", "0")
    clip = tmp_path / "a.mp4"
    clip.write_bytes(media("clip.mp4").data)
    assert cli("upload", str(clip), "--api-base", sim.base_url)[0] == 0
    code, _, err = cli("export", "-o", str(tmp_path / "out.mp4"), "--api-base", sim.base_url)
    assert code == 0, err
    assert (tmp_path / "out.mp4").read_bytes() == clip.read_bytes()
    methods_paths = [(line.split(" ")[0], line.split(" ")[1].removeprefix(sim.base_url)) for line in proxy.seen]
    assert any(method == "POST" and "upload" in path for method, path in methods_paths), proxy.seen
    assert any(method == "GET" and path.startswith("/cdn/") for method, path in methods_paths), proxy.seen


def test_the_operating_systems_trust_store_is_the_default_and_certifi_the_fallback(monkeypatch):
    import ssl
    import sys

    import truststore

    from nemochat.clients.network import system_context, tls_context

    assert isinstance(tls_context(None), truststore.SSLContext)  # no SSL_CERT_FILE/DIR, no ca_bundle
    monkeypatch.setitem(sys.modules, "truststore", None)  # where truststore is not available
    fallback = system_context()
    assert isinstance(fallback, ssl.SSLContext) and not isinstance(fallback, truststore.SSLContext)
    assert fallback.cert_store_stats()["x509_ca"] > 10  # certifi's bundle


def test_config_show_masks_a_proxy_password(cli, monkeypatch):
    monkeypatch.setenv("NEMOCHAT_PROXY", "http://me:s3cret-pass@proxy.example:3128")
    code, out, _ = cli("config", "show")
    assert code == 0
    assert "s3cret-pass" not in out and "http://me:****@proxy.example:3128" in out


@pytest.mark.parametrize("value, says", [
    ("ftp://proxy.example:21", "is not an http(s) or socks5 proxy URL (like http://proxy.example:3128)"),
    ("socks5://127.0.0.1:1080", "is a SOCKS proxy, which needs the socksio package (pip install socksio)"),
])
def test_a_proxy_httpx_cannot_use_is_a_usage_error_naming_the_variable(cli, sim, world, monkeypatch, value, says):
    monkeypatch.setenv("HTTPS_PROXY", value)
    monkeypatch.setitem(__import__("sys").modules, "socksio", None)  # as on a machine without it
    code, out, err = cli("credits", "--api-base", sim.base_url)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"nemochat: HTTPS_PROXY/HTTP_PROXY/ALL_PROXY: {value} {says}"]
    assert world.requests == []


def test_a_proxy_that_cannot_be_reached_is_named_with_its_password_masked(cli, sim, monkeypatch):
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://me:pw-123456@127.0.0.1:{port}")
    monkeypatch.setenv("NEMOCHAT_CONNECT_RETRIES", "0")
    code, _, err = cli("credits", "--api-base", sim.base_url)
    assert code == 5
    assert f"through the proxy http://me:****@127.0.0.1:{port} (connection refused)" in err
    assert "pw-123456" not in err


def test_the_truststore_context_serves_httpx_over_https(https_sim, test_ca, monkeypatch):
    """The OS store's context (truststore) carries real requests: on Linux it
    reads OpenSSL's default paths, which SSL_CERT_FILE points at the test CA here."""
    import httpx
    import truststore

    from nemochat.clients.network import system_context

    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca[0]))
    context = system_context()
    assert isinstance(context, truststore.SSLContext)
    with httpx.Client(verify=context, trust_env=False) as client:
        assert client.get(https_sim.base_url + "/api/credits/balance/simple").status_code in (200, 401, 403)


@pytest.mark.skipif(__import__("shutil").which("openssl") is None, reason="openssl names the hashed certificate files")
def test_ssl_cert_dir_of_hashed_certificates_is_trusted(cli, https_sim, test_ca, monkeypatch, tmp_path):
    import shutil
    import subprocess

    digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(test_ca[0])], capture_output=True, text=True, check=True).stdout.strip()
    folder = tmp_path / "certs"
    folder.mkdir()
    shutil.copy(test_ca[0], folder / f"{digest}.0")
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    code, out, err = cli("credits", "--api-base", https_sim.base_url)
    assert code == 0, err
    assert "available" in out
