"""The debug log: off by default; with --debug in the state
folder (and said where); with the log_file setting wherever it says;
rotating, private, redacted; the traceback of an unexpected error lands
there while the user sees one line."""

from __future__ import annotations

import stat
from types import SimpleNamespace

from nemochat import debug_log
from nemochat.cli import main
from nemochat.settings import Paths, Settings


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_debug_keeps_a_log_in_the_state_folder_and_says_where(sim, world, capsys):
    code, _, err = run(capsys, "--debug", "ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url)
    assert code == 0, err
    path = Paths.default().state / "logs" / "debug.log"
    assert f"Debug log: {path}" in err.splitlines()
    debug_log.stop()  # flushed and closed, as at exit
    text = path.read_text(encoding="utf-8")
    assert f'HTTP Request: POST {sim.base_url}/run_sse "HTTP/1.1 200 OK"' in text
    assert "MessageDelta" in text or "Text" in text  # what the view was shown, by kind
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "nmv_usr_" not in text and "Bearer" not in text  # the token never


def test_no_log_without_debug_or_log_file(sim, world, capsys):
    code, _, err = run(capsys, "credits", "--api-base", sim.base_url)
    assert code == 0 and "Debug log" not in err
    assert not (Paths.default().state / "logs").exists()


def test_the_log_file_setting_logs_without_debug_and_says_nothing(sim, world, capsys, monkeypatch, tmp_path):
    target = tmp_path / "nemochat.log"
    monkeypatch.setenv("NEMOCHAT_LOG_FILE", str(target))
    code, _, err = run(capsys, "credits", "--api-base", sim.base_url)
    assert code == 0 and "Debug log" not in err
    debug_log.stop()
    assert "HTTP Request: GET" in target.read_text(encoding="utf-8")


def test_an_unexpected_error_is_one_line_for_the_user_and_a_traceback_in_the_log(sim, world, capsys, monkeypatch, tmp_path):
    from nemochat.clients.nemo import NemoClient

    async def broken(self):
        raise RuntimeError("boom in credits")

    monkeypatch.setattr(NemoClient, "credits", broken)
    monkeypatch.setenv("NEMOCHAT_LOG_FILE", str(tmp_path / "x.log"))
    code, _, err = run(capsys, "credits", "--api-base", sim.base_url)
    assert code == 1 and err.strip().splitlines() == ["nemochat: unexpected error: RuntimeError: boom in credits (run with --debug for details)"]
    debug_log.stop()
    text = (tmp_path / "x.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom in credits" in text


def test_the_log_rotates_privately_and_redacts(tmp_path):
    settings = Settings(log_file=str(tmp_path / "d.log"), token="nmv_usr_secret1", nanophoto_api_key="np-key-0123456789")
    path = debug_log.start(settings, SimpleNamespace(state=tmp_path), max_bytes=400)
    try:
        import logging

        log = logging.getLogger("nemochat")
        for n in range(20):
            log.info("request %d Authorization: Bearer nmv_usr_secret1 key np-key-0123456789", n)
    finally:
        debug_log.stop()
    files = sorted(tmp_path.glob("d.log*"))
    assert [f.name for f in files] == ["d.log", "d.log.1", "d.log.2", "d.log.3"]  # 3 old files kept
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        text = f.read_text(encoding="utf-8")
        assert "nmv_usr_secret" not in text and "np-key-0123456789" not in text and "[redacted]" in text
    assert path == tmp_path / "d.log"
