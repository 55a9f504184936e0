"""A simulator served over HTTPS with a test CA (trustme), and the real
command line run in-process: ``cli(*args) -> (exit code, stdout, stderr)``."""

from __future__ import annotations

import pytest

from nemochat.cli import main


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory):
    """``(ca_file, cert_file, key_file)``: a CA nobody else trusts, and a certificate for 127.0.0.1."""
    import trustme

    folder = tmp_path_factory.mktemp("ca")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.private_key_pem.write_to_path(str(folder / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    return folder / "ca.pem", folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="module")
def https_sim(test_ca):
    from nemochat.sim import start_simulator

    _, cert, key = test_ca
    with start_simulator(time_scale=0, tls=(str(cert), str(key))) as running:
        yield running


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.setenv("NEMOCHAT_CONNECT_RETRY_WAIT", "0")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
